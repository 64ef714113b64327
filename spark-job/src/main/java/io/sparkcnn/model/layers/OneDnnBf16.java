package io.sparkcnn.model.layers;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_inner_product_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_ab;
import static org.bytedeco.dnnl.global.dnnl.dnnl_abcd;
import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;
import static org.bytedeco.dnnl.global.dnnl.dnnl_backward_data;
import static org.bytedeco.dnnl.global.dnnl.dnnl_backward_weights;
import static org.bytedeco.dnnl.global.dnnl.dnnl_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core_amx;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_get_effective_cpu_isa;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;
import static org.bytedeco.dnnl.global.dnnl.dnnl_version;

/**
 * Bfloat16 convolutions and dense products through oneDNN 2.5 (the JavaCPP preset
 * {@code org.bytedeco:dnnl:2.5.2-1.5.7}, a library of its own beside ND4J's oneDNN 2.3), for {@link Bf16ConvHelper}
 * and {@link Bf16DenseLayer}. Arrays are float in and out; inputs, weights and output gradients are reordered to
 * bfloat16 copies before each primitive runs. The primitives and their bfloat16 buffers for one layer shape form a
 * {@link Kernels}; they are pooled per shape and taken by one thread at a time, because DL4J builds a new network
 * (and so new helpers) on every Spark worker every averaging round.
 */
final class OneDnnBf16 {
    private static final Logger log = LoggerFactory.getLogger(OneDnnBf16.class);
    /** oneDNN's {@code DNNL_MEMORY_ALLOCATE}: let the library allocate a memory object's buffer. */
    private static final Pointer ALLOCATE = new Address(-1);
    private static final Map<Object, Queue<Kernels>> PLANS = new ConcurrentHashMap<>();
    /** Stamps of forward passes, unique in this JVM. */
    private static final AtomicLong STAMPS = new AtomicLong();
    private static final Natives NATIVES = Natives.load();

    private OneDnnBf16() {
    }

    /**
     * One NHWC convolution: batch {@code n}, input {@code h x w x c}, {@code oc} filters of {@code kh x kw}, strides,
     * padding at the top, left, bottom and right, output {@code oh x ow}, and whether it has a bias (backward pass).
     */
    record Shape(int n, int h, int w, int c, int oc, int kh, int kw, int sh, int sw, int top, int left, int bottom,
            int right, int oh, int ow, boolean bias) {
    }

    /** One dense layer's product: batch {@code n}, {@code in} inputs, {@code out} outputs, with or without bias. */
    record DenseShape(int n, int in, int out, boolean bias) {
    }

    /** The loaded library's version and effective ISA, or why it did not load. */
    private record Natives(dnnl_engine engine, int isa, String version, String failure) {
        static Natives load() {
            try {
                Loader.load(org.bytedeco.dnnl.global.dnnl.class);
                dnnl_version_t v = dnnl_version();
                int isa = dnnl_get_effective_cpu_isa();
                dnnl_engine engine = new dnnl_engine();
                check(dnnl_engine_create(engine, dnnl_cpu, 0), "creating the CPU engine");
                return new Natives(engine, isa, v.major() + "." + v.minor() + "." + v.patch(), null);
            } catch (Throwable e) {
                log.warn("oneDNN 2.5 for bfloat16 convolutions is not available: {}", e.toString());
                return new Natives(null, 0, null, e.toString());
            }
        }
    }

    /** Whether oneDNN 2.5 loaded and this CPU has AMX-BF16 tiles. */
    static boolean hasAmx() {
        return NATIVES.engine() != null && (NATIVES.isa() & dnnl_cpu_isa_avx512_core_amx) == dnnl_cpu_isa_avx512_core_amx;
    }

    /** Whether oneDNN 2.5 loaded and this CPU has at least AVX-512 BF16 instructions. */
    static boolean hasBf16() {
        return NATIVES.engine() != null
                && (NATIVES.isa() & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
    }

    static String describe() {
        if (NATIVES.engine() == null) {
            return "oneDNN 2.5 for bfloat16 convolutions did not load (" + NATIVES.failure() + ")";
        }
        return "oneDNN " + NATIVES.version() + " for bfloat16 convolutions: "
                + (hasAmx() ? "AMX-BF16" : hasBf16() ? "AVX-512 BF16 without AMX" : "no bfloat16 instructions");
    }

    /**
     * {@code out = conv(input, weights) + bias}; input NHWC, weights [oc, c, kh, kw], out NHWC, all dense float.
     *
     * @return a stamp for {@link #backward}: the weights this pass converted
     */
    static long forward(Shape s, INDArray input, INDArray weights, INDArray bias, INDArray out) {
        return forwardOn(s, input, weights, bias, out);
    }

    /**
     * The input's gradient into {@code gradAtInput} (NHWC), the weights' into {@code weightGrad} ([oc, c, kh, kw]) and
     * the bias's into {@code biasGrad} (null without bias), from the gradient at the output {@code delta} (NHWC).
     *
     * @param stamp what the layer's last {@link #forward} returned, or 0
     */
    static void backward(Shape s, INDArray input, INDArray weights, INDArray delta, INDArray gradAtInput,
            INDArray weightGrad, INDArray biasGrad, long stamp) {
        backwardOn(s, input, weights, delta, gradAtInput, weightGrad, biasGrad, stamp);
    }

    /**
     * {@code out = input . weights + bias}: input [n, in] row-major, weights DL4J's [in, out] column-major (that is
     * [out, in] row-major), bias [out], out [n, out] row-major; all float.
     *
     * @return a stamp for {@link #denseBackward}: the weights this pass converted
     */
    static long denseForward(DenseShape s, INDArray input, INDArray weights, INDArray bias, INDArray out) {
        return forwardOn(s, input, weights, bias, out);
    }

    /**
     * The dense layer's input gradient into {@code gradAtInput} ([n, in] row-major), the weights' into
     * {@code weightGrad} ([in, out] column-major) and the bias's into {@code biasGrad} (null without bias).
     *
     * @param stamp what the layer's last {@link #denseForward} returned, or 0; when the pass that returned it was
     *              the last to use these kernels, its bfloat16 weights are used again (weights change only after
     *              the backward pass, and every backward pass here follows its layer's forward pass)
     */
    static void denseBackward(DenseShape s, INDArray input, INDArray weights, INDArray delta, INDArray gradAtInput,
            INDArray weightGrad, INDArray biasGrad, long stamp) {
        backwardOn(s, input, weights, delta, gradAtInput, weightGrad, biasGrad, stamp);
    }

    private static long forwardOn(Object shape, INDArray input, INDArray weights, INDArray bias, INDArray out) {
        Kernels k = take(shape);
        try {
            return k.forward(input, weights, bias, out);
        } finally {
            PLANS.get(shape).add(k);
        }
    }

    private static void backwardOn(Object shape, INDArray input, INDArray weights, INDArray delta,
            INDArray gradAtInput, INDArray weightGrad, INDArray biasGrad, long stamp) {
        Kernels k = take(shape);
        try {
            k.backward(input, weights, delta, gradAtInput, weightGrad, biasGrad, stamp);
        } finally {
            PLANS.get(shape).add(k);
        }
    }

    private static Kernels take(Object shape) {
        Kernels k = PLANS.computeIfAbsent(shape, key -> new ConcurrentLinkedQueue<>()).poll();
        if (k != null) {
            return k;
        }
        return shape instanceof Shape s ? Kernels.convolution(s) : Kernels.dense((DenseShape) shape);
    }

    /** A vector with unit stride or a row-major array with the default strides for its shape: one dense stretch. */
    static boolean isDense(INDArray a) {
        if (a.elementWiseStride() != 1) {
            return false;
        }
        return a.rank() <= 1 || (a.ordering() == 'c' && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(a));
    }

    /** {@code a} itself when {@link #isDense}, else a row-major copy. */
    static INDArray dense(INDArray a) {
        return isDense(a) ? a : a.dup('c');
    }

    /**
     * A plain pointer to {@code a}'s first element (oneDNN's handles are {@code void*}, so no element position). An
     * ND4J view's buffer is itself a view whose address already includes the array's offset.
     */
    private static Pointer pointer(INDArray a) {
        Pointer buffer = a.data().addressPointer();
        return new Address(buffer.address() + buffer.position() * buffer.sizeof());
    }

    private static final class Address extends Pointer {
        Address(long at) {
            address = at;
        }
    }

    private static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN 2.5 failed " + what + ": status " + status);
        }
    }

    private static dnnl_memory_desc_t desc(long[] dims, int type, int tag) {
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(d, dims.length, dims, type, tag), "describing an array");
        return d;
    }

    /**
     * One layer shape's three products (forward, input gradient, weight gradient) as oneDNN primitives, with the
     * bfloat16 copies they read: float arrays in the user's layouts are bound per call, converted, and the results
     * written back as float. Taken by one thread at a time from a pool per shape.
     */
    private static final class Kernels {
        private final dnnl_stream stream = new dnnl_stream();
        private final boolean bias;
        private final dnnl_memory srcUser;
        private final dnnl_memory weightsUser;
        private final dnnl_memory biasUser;
        private final dnnl_memory dstUser;
        private final dnnl_memory diffDstUser;
        private final dnnl_memory diffSrcUser;
        private final dnnl_memory diffWeightsUser;
        private final dnnl_memory diffBiasUser;
        private final Step srcToBf16;
        private final Step weightsToFwd;
        private final Step forward;
        private final Step diffDstToBf16;
        /** Null when the input gradient's kernel takes the forward pass's bfloat16 weights as they are. */
        private final Step weightsToBwd;
        private final Step backwardData;
        private final Step backwardWeights;
        /** Null when the weight-gradient kernel writes DL4J's layout itself. */
        private final Step diffWeightsToUser;
        /** The stamp of the forward pass whose weights {@link #weightsFwd} holds; 0 after a backward pass. */
        private long converted;

        /**
         * @param src    the input's float layout (the user's); its bfloat16 copy takes the same layout
         * @param dst    the output's float layout (the user's), likewise for the output gradient
         * @param wUser  the weights' float layout as DL4J keeps them
         * @param biasF  the bias, float
         */
        private Kernels(dnnl_memory_desc_t src, dnnl_memory_desc_t srcB, dnnl_memory_desc_t dst,
                dnnl_memory_desc_t dstB, dnnl_memory_desc_t wUser, dnnl_memory_desc_t biasF,
                dnnl_primitive_desc fpd, dnnl_primitive_desc dpd, dnnl_primitive_desc wpd, boolean bias) {
            check(dnnl_stream_create(stream, NATIVES.engine(), dnnl_stream_default_flags), "creating a stream");
            this.bias = bias;
            dnnl_memory_desc_t wFwd = dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0);
            dnnl_memory_desc_t wBwd = dnnl_primitive_desc_query_md(dpd, dnnl_query_weights_md, 0);
            dnnl_memory_desc_t dw = dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_weights_md, 0);
            boolean sharedWeights = dnnl_memory_desc_equal(wFwd, wBwd) == 1;
            boolean directGradient = dnnl_memory_desc_equal(dw, wUser) == 1;
            srcUser = memory(src, null);
            weightsUser = memory(wUser, null);
            biasUser = memory(biasF, null);
            dstUser = memory(dst, null);
            diffDstUser = memory(dst, null);
            diffSrcUser = memory(src, null);
            diffWeightsUser = memory(wUser, null);
            diffBiasUser = memory(biasF, null);
            dnnl_memory srcBf16 = memory(srcB, ALLOCATE);
            dnnl_memory weightsFwd = memory(wFwd, ALLOCATE);
            dnnl_memory weightsBwd = sharedWeights ? weightsFwd : memory(wBwd, ALLOCATE);
            dnnl_memory diffDstBf16 = memory(dstB, ALLOCATE);
            dnnl_memory diffWeights = directGradient ? diffWeightsUser : memory(dw, ALLOCATE);
            srcToBf16 = new Step(reorder(src, srcB), "converting the input", DNNL_ARG_FROM, srcUser, DNNL_ARG_TO,
                    srcBf16);
            weightsToFwd = new Step(reorder(wUser, wFwd), "converting the weights", DNNL_ARG_FROM, weightsUser,
                    DNNL_ARG_TO, weightsFwd);
            forward = new Step(primitive(fpd), "computing the forward pass", DNNL_ARG_SRC, srcBf16, DNNL_ARG_WEIGHTS,
                    weightsFwd, DNNL_ARG_BIAS, biasUser, DNNL_ARG_DST, dstUser);
            diffDstToBf16 = new Step(reorder(dst, dstB), "converting the output gradient", DNNL_ARG_FROM,
                    diffDstUser, DNNL_ARG_TO, diffDstBf16);
            weightsToBwd = sharedWeights ? null : new Step(reorder(wUser, wBwd), "converting the weights",
                    DNNL_ARG_FROM, weightsUser, DNNL_ARG_TO, weightsBwd);
            backwardData = new Step(primitive(dpd), "computing the input gradient", DNNL_ARG_DIFF_DST, diffDstBf16,
                    DNNL_ARG_WEIGHTS, weightsBwd, DNNL_ARG_DIFF_SRC, diffSrcUser);
            backwardWeights = bias
                    ? new Step(primitive(wpd), "computing the weight gradient", DNNL_ARG_SRC, srcBf16,
                            DNNL_ARG_DIFF_DST, diffDstBf16, DNNL_ARG_DIFF_WEIGHTS, diffWeights, DNNL_ARG_DIFF_BIAS,
                            diffBiasUser)
                    : new Step(primitive(wpd), "computing the weight gradient", DNNL_ARG_SRC, srcBf16,
                            DNNL_ARG_DIFF_DST, diffDstBf16, DNNL_ARG_DIFF_WEIGHTS, diffWeights);
            diffWeightsToUser = directGradient ? null : new Step(reorder(dw, wUser),
                    "converting the weight gradient", DNNL_ARG_FROM, diffWeights, DNNL_ARG_TO, diffWeightsUser);
        }

        /** A convolution's kernels: NHWC arrays, DL4J's [oc, c, kh, kw] weights. */
        static Kernels convolution(Shape s) {
            requireNatives();
            long[] srcDims = {s.n(), s.c(), s.h(), s.w()};
            long[] dstDims = {s.n(), s.oc(), s.oh(), s.ow()};
            long[] wDims = {s.oc(), s.c(), s.kh(), s.kw()};
            long[] strides = {s.sh(), s.sw()};
            long[] padL = {s.top(), s.left()};
            long[] padR = {s.bottom(), s.right()};
            dnnl_memory_desc_t srcF = desc(srcDims, dnnl_f32, dnnl_acdb);
            dnnl_memory_desc_t srcB = desc(srcDims, dnnl_bf16, dnnl_acdb);
            dnnl_memory_desc_t dstF = desc(dstDims, dnnl_f32, dnnl_acdb);
            dnnl_memory_desc_t dstB = desc(dstDims, dnnl_bf16, dnnl_acdb);
            dnnl_memory_desc_t wAnyB = desc(wDims, dnnl_bf16, dnnl_format_tag_any);
            dnnl_memory_desc_t wAnyF = desc(wDims, dnnl_f32, dnnl_format_tag_any);
            dnnl_memory_desc_t biasF = desc(new long[] {s.oc()}, dnnl_f32, dnnl_a);
            dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
            check(dnnl_convolution_forward_desc_init(fd, dnnl_forward_training, dnnl_convolution_direct, srcB, wAnyB,
                    biasF, dstF, strides, padL, padR), "describing the forward pass");
            dnnl_primitive_desc fpd = primitiveDesc(fd, null, "forward pass");
            dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
            check(dnnl_convolution_backward_data_desc_init(dd, dnnl_convolution_direct, srcF, wAnyB, dstB, strides,
                    padL, padR), "describing the input gradient");
            dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
            check(dnnl_convolution_backward_weights_desc_init(wd, dnnl_convolution_direct, srcB, wAnyF,
                    s.bias() ? biasF : null, dstB, strides, padL, padR), "describing the weight gradient");
            return new Kernels(srcF, srcB, dstF, dstB, desc(wDims, dnnl_f32, dnnl_abcd), biasF, fpd,
                    primitiveDesc(dd, fpd, "input gradient"), primitiveDesc(wd, fpd, "weight gradient"), s.bias());
        }

        /** A dense layer's kernels (oneDNN's inner product): row-major arrays, DL4J's column-major [in, out] weights. */
        static Kernels dense(DenseShape s) {
            requireNatives();
            long[] srcDims = {s.n(), s.in()};
            long[] dstDims = {s.n(), s.out()};
            long[] wDims = {s.out(), s.in()};
            dnnl_memory_desc_t srcF = desc(srcDims, dnnl_f32, dnnl_ab);
            dnnl_memory_desc_t srcB = desc(srcDims, dnnl_bf16, dnnl_ab);
            dnnl_memory_desc_t dstF = desc(dstDims, dnnl_f32, dnnl_ab);
            dnnl_memory_desc_t dstB = desc(dstDims, dnnl_bf16, dnnl_ab);
            dnnl_memory_desc_t wAnyB = desc(wDims, dnnl_bf16, dnnl_format_tag_any);
            dnnl_memory_desc_t wUser = desc(wDims, dnnl_f32, dnnl_ab);
            dnnl_memory_desc_t biasF = desc(new long[] {s.out()}, dnnl_f32, dnnl_a);
            dnnl_inner_product_desc_t fd = new dnnl_inner_product_desc_t();
            check(dnnl_inner_product_forward_desc_init(fd, dnnl_forward_training, srcB, wAnyB, biasF, dstF),
                    "describing the dense forward pass");
            dnnl_primitive_desc fpd = primitiveDesc(fd, null, "dense forward pass");
            dnnl_inner_product_desc_t dd = new dnnl_inner_product_desc_t();
            check(dnnl_inner_product_backward_data_desc_init(dd, srcF, wAnyB, dstB),
                    "describing the dense input gradient");
            dnnl_inner_product_desc_t wd = new dnnl_inner_product_desc_t();
            check(dnnl_inner_product_backward_weights_desc_init(wd, srcB, wUser, s.bias() ? biasF : null, dstB),
                    "describing the dense weight gradient");
            return new Kernels(srcF, srcB, dstF, dstB, wUser, biasF, fpd,
                    primitiveDesc(dd, fpd, "dense input gradient"), primitiveDesc(wd, fpd, "dense weight gradient"),
                    s.bias());
        }

        long forward(INDArray input, INDArray weights, INDArray biasArray, INDArray out) {
            bind(srcUser, input);
            bind(weightsUser, weights);
            bind(biasUser, biasArray);
            bind(dstUser, out);
            run(srcToBf16);
            run(weightsToFwd);
            run(forward);
            check(dnnl_stream_wait(stream), "waiting for the forward pass");
            converted = STAMPS.incrementAndGet();
            return converted;
        }

        void backward(INDArray input, INDArray weights, INDArray delta, INDArray gradAtInput, INDArray weightGrad,
                INDArray biasGrad, long stamp) {
            bind(srcUser, input);
            bind(weightsUser, weights);
            bind(diffDstUser, delta);
            bind(diffSrcUser, gradAtInput);
            bind(diffWeightsUser, weightGrad);
            if (bias) {
                bind(diffBiasUser, biasGrad);
            }
            run(srcToBf16);
            run(diffDstToBf16);
            if (weightsToBwd != null) {
                run(weightsToBwd);
            } else if (stamp == 0 || stamp != converted) {
                run(weightsToFwd);
            }
            converted = 0;
            run(backwardData);
            run(backwardWeights);
            if (diffWeightsToUser != null) {
                run(diffWeightsToUser);
            }
            check(dnnl_stream_wait(stream), "waiting for the backward pass");
        }

        private static void requireNatives() {
            if (NATIVES.engine() == null) {
                throw new IllegalStateException("oneDNN 2.5 is not available: " + NATIVES.failure());
            }
        }

        private static void bind(dnnl_memory m, INDArray a) {
            check(dnnl_memory_set_data_handle(m, pointer(a)), "binding an array");
        }

        private void run(Step step) {
            check(dnnl_primitive_execute(step.primitive, stream, step.count, step.args), step.what);
        }

        private static dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_desc hint, String what) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(opDesc), null, NATIVES.engine(), hint),
                    "choosing kernels for the " + what);
            return pd;
        }

        private static dnnl_primitive primitive(dnnl_primitive_desc pd) {
            dnnl_primitive p = new dnnl_primitive();
            check(dnnl_primitive_create(p, pd), "creating a primitive");
            return p;
        }

        private static dnnl_primitive reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_reorder_primitive_desc_create(pd, from, NATIVES.engine(), to, NATIVES.engine(), null),
                    "choosing a reorder");
            return primitive(pd);
        }

        private static dnnl_memory memory(dnnl_memory_desc_t d, Pointer handle) {
            dnnl_memory m = new dnnl_memory();
            check(dnnl_memory_create(m, d, NATIVES.engine(), handle), "creating a memory object");
            return m;
        }

        /**
         * A primitive with its arguments, built once: the memory objects stay, only their data handles change from
         * call to call ({@link #bind}), so nothing is allocated per execution.
         */
        private static final class Step {
            final dnnl_primitive primitive;
            final dnnl_exec_arg_t args;
            final int count;
            final String what;

            Step(dnnl_primitive primitive, String what, Object... argPairs) {
                this.primitive = primitive;
                this.what = what;
                this.count = argPairs.length / 2;
                dnnl_exec_arg_t a = new dnnl_exec_arg_t(count);
                for (int i = 0; i < count; i++) {
                    a.position(i).arg((Integer) argPairs[2 * i]).memory((dnnl_memory) argPairs[2 * i + 1]);
                }
                this.args = a.position(0);
            }
        }
    }
}
