package io.sparkcnn.runtime;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.model.NetworkFactory;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.List;
import java.util.Locale;

/**
 * The off-heap memory (bytes) an executor needs to train a network with parameter averaging: a pure function
 * of the network's configuration, its input and the minibatch size. It loads no native library and needs no
 * Spark, so the {@code resources} command can compute it before anything starts.
 *
 * <p>ND4J keeps every array off the Java heap. With P parameters, U updater-state values (the updater's
 * {@link IUpdater#stateSize}: 2 per parameter for AdaDelta and Adam, 1 for Nesterovs, 0 for SGD and for frozen
 * layers), B examples per minibatch, F prefetched minibatches and w bytes per value (4 for float), one task
 * (one worker: it trains its own copy of the network) needs
 * <pre>
 *   model     = w (P + P + U)             parameters, their gradients, the updater state
 *   averaging = w (P + U)                 the task's share of the aggregated result (parameters + updater)
 *   minibatch = w B (2 A + Z + D + C)     see below
 *   data      = w B (I + L) (F + 1)       the features and labels of the minibatches in memory
 *   perTask   = model + averaging + minibatch + data
 * </pre>
 * where, per example and summed over the layers, the {@code InputType} propagated through the network gives
 * A = output activations (each also has a gradient of the same size in backpropagation, hence 2 A),
 * Z = pre-activations of the layers with parameters (kept for backpropagation, CacheMode.DEVICE),
 * D = dropout masks, and
 * C = the largest convolution's im2col buffer and its gradient, 2 outH outW inChannels kH kW (DL4J's built-in
 * convolution; one layer's at a time, so the maximum, not the sum); I = input values, L = labels. Each
 * executor also holds the broadcast parameters and updater state once, {@code perExecutor = w (P + U)}, and
 * native libraries, allocator and workspace slack, {@value #NATIVE_MARGIN_MIB} MiB ({@link #NATIVE_MARGIN_BYTES}).
 * An executor running T tasks at once needs
 * <pre>
 *   offHeap(T) = NATIVE_MARGIN_BYTES + perExecutor + T perTask
 * </pre>
 *
 * <p>Calibration: one seed-cnn network fitting minibatches of 64, 128 and 256 with the oneDNN helper grew the
 * process's resident memory by 135, 255 and 534 MB (a single JVM, OpenMP 1 thread); {@code model + minibatch +
 * data} gives 162, 304 and 589 MB, and DL4J's own {@code getMemoryReport} 144, 269 and 518 MB. The plan is an
 * upper bound with a little room, not an exact count.</p>
 *
 * <p>On top of the off-heap need, the JVM itself lives outside the heap (metaspace, threads, code cache,
 * Spark's network buffers): {@link #jvmOverheadBytes} reserves Spark's own default for that,
 * max(384 MiB, 10 % of the heap). {@link #recommend} turns the plan into JavaCPP limits and Spark's
 * {@code spark.executor.memoryOverhead}.</p>
 *
 * @param parameters                 P, parameters of the network (frozen ones included)
 * @param updaterState               U, values of updater state over all layers
 * @param batchSize                  B, examples per minibatch on a worker, &gt;= 1
 * @param prefetchBatches            F, minibatches a worker loads ahead, &gt;= 0
 * @param bytesPerValue              w, bytes of one value of the network's data type
 * @param inputValues                I + L, input and label values per example
 * @param activationValues           A, output activations per example summed over the layers
 * @param preOutputValues            Z, pre-activations per example summed over the layers with parameters
 * @param dropoutMaskValues          D, dropout-mask values per example summed over the layers with dropout
 * @param convolutionWorkingValues   C, per example: the largest convolution's im2col buffer and its gradient
 * @param convolutionLayers          convolution and pooling layers (the ones a oneDNN helper can run)
 */
public record MemoryPlan(long parameters, long updaterState, int batchSize, int prefetchBatches, int bytesPerValue,
                         long inputValues, long activationValues, long preOutputValues, long dropoutMaskValues,
                         long convolutionWorkingValues, int convolutionLayers) {
    /** One mebibyte, 2^20 bytes. */
    public static final long MIB = 1L << 20;
    /** The fixed margin in MiB: native libraries (~55 MiB resident as measured), allocator and workspace slack. */
    public static final long NATIVE_MARGIN_MIB = 256;
    /** {@link #NATIVE_MARGIN_MIB} in bytes. */
    public static final long NATIVE_MARGIN_BYTES = NATIVE_MARGIN_MIB * MIB;
    /** Spark's minimum {@code spark.executor.memoryOverhead} (384 MiB), in bytes. */
    public static final long SPARK_MIN_OVERHEAD_BYTES = 384 * MIB;

    public MemoryPlan {
        if (batchSize < 1 || prefetchBatches < 0 || bytesPerValue < 1) {
            throw new IllegalArgumentException("batchSize >= 1, prefetchBatches >= 0 and bytesPerValue >= 1 needed, got "
                    + batchSize + ", " + prefetchBatches + ", " + bytesPerValue);
        }
    }

    /** The plan for the job's network, image size, batch size per worker and prefetch. */
    public static MemoryPlan forJob(JobConfig cfg) {
        int rows = cfg.data().imageRows();
        int cols = cfg.data().imageCols();
        return of(NetworkFactory.build(cfg.model().network(), cfg.train().seed(), rows, cols),
                NetworkFactory.inputType(cfg.model().network(), rows, cols), cfg.train().batchSizePerWorker(),
                cfg.train().prefetchBatches());
    }

    /**
     * The plan for a built configuration, taking each layer's updater from it (a frozen layer's is a no-op).
     *
     * @param input the network's input, as given to {@code setInputType}
     */
    public static MemoryPlan of(MultiLayerConfiguration conf, InputType input, int batchSize, int prefetchBatches) {
        List<InputType> outputs = conf.getLayerActivationTypes(input);
        long params = 0;
        long state = 0;
        long activations = 0;
        long preOutputs = 0;
        long masks = 0;
        long convWorking = 0;
        int convLayers = 0;
        InputType in = input;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            NeuralNetConfiguration layerConf = conf.getConf(i);
            Layer outer = layerConf.getLayer();
            InputPreProcessor pre = conf.getInputPreProcess(i);
            InputType layerIn = pre == null ? in : pre.getOutputType(in);
            InputType out = outputs.get(i);
            long n = outer.initializer().numParams(layerConf);
            params += n;
            state += updaterState(outer, n);
            Layer layer = unwrap(outer);
            activations += out.arrayElementsPerExample();
            if (n > 0 && layer instanceof BaseLayer) {
                preOutputs += out.arrayElementsPerExample();
            }
            if (layer instanceof DropoutLayer || layer.getIDropout() != null) {
                masks += layerIn.arrayElementsPerExample();
            }
            if (layer instanceof ConvolutionLayer conv && out instanceof InputType.InputTypeConvolutional c) {
                int[] k = conv.getKernelSize();
                convWorking = Math.max(convWorking, 2 * c.getHeight() * c.getWidth() * conv.getNIn() * k[0] * k[1]);
            }
            if (layer instanceof ConvolutionLayer || layer instanceof SubsamplingLayer) {
                convLayers++;
            }
            in = out;
        }
        long inputValues = input.arrayElementsPerExample() + in.arrayElementsPerExample();
        return new MemoryPlan(params, state, batchSize, prefetchBatches, conf.getDataType().width(), inputValues,
                activations, preOutputs, masks, convWorking, convLayers);
    }

    /**
     * The state of the layer's updater for its {@code numParams} parameters; biases are taken to share the
     * weights' updater (as {@link NetworkFactory} builds them). A frozen layer lists no parameter keys: no state.
     */
    private static long updaterState(Layer layer, long numParams) {
        ParamInitializer init = layer.initializer();
        List<String> keys = init.paramKeys(layer);
        if (numParams == 0 || keys.isEmpty()) {
            return 0;
        }
        IUpdater updater = layer.getUpdaterByParam(keys.get(0));
        return updater.stateSize(numParams);
    }

    private static Layer unwrap(Layer layer) {
        if (layer instanceof FrozenLayer frozen) {
            return unwrap(frozen.getLayer());
        }
        if (layer instanceof BaseWrapperLayer wrapper) {
            return unwrap(wrapper.getUnderlying());
        }
        return layer;
    }

    /** The same network and settings with another batch size. */
    public MemoryPlan withBatchSize(int batch) {
        return new MemoryPlan(parameters, updaterState, batch, prefetchBatches, bytesPerValue, inputValues,
                activationValues, preOutputValues, dropoutMaskValues, convolutionWorkingValues, convolutionLayers);
    }

    /** Bytes of the parameters, their gradients and the updater state of one task's network. */
    public long modelBytes() {
        return bytesPerValue * (2 * parameters + updaterState);
    }

    /** Bytes of one copy of the parameters and updater state: a broadcast, or a task's aggregated result. */
    public long averagingCopyBytes() {
        return bytesPerValue * (parameters + updaterState);
    }

    /** Bytes of one minibatch's activations, their gradients, pre-activations, masks and convolution buffers. */
    public long minibatchBytes() {
        return (long) bytesPerValue * batchSize
                * (2 * activationValues + preOutputValues + dropoutMaskValues + convolutionWorkingValues);
    }

    /** Bytes of the minibatches' features and labels a task holds (the current one and the prefetched ones). */
    public long dataBytes() {
        return (long) bytesPerValue * batchSize * inputValues * (prefetchBatches + 1);
    }

    /** Off-heap bytes one task needs: {@code model + averaging + minibatch + data}. */
    public long perTaskBytes() {
        return modelBytes() + averagingCopyBytes() + minibatchBytes() + dataBytes();
    }

    /** Off-heap bytes an executor needs once, whatever its tasks: the broadcast parameters and updater state. */
    public long perExecutorBytes() {
        return averagingCopyBytes();
    }

    /** Off-heap bytes of an executor running {@code tasks} tasks at once, the fixed margin included. */
    public long offHeapBytes(int tasks) {
        return NATIVE_MARGIN_BYTES + perExecutorBytes() + tasks * perTaskBytes();
    }

    /** Spark's default reserve for the JVM's own memory outside the heap: max(384 MiB, 10 % of the heap), in bytes. */
    public static long jvmOverheadBytes(long heapBytes) {
        return Math.max(SPARK_MIN_OVERHEAD_BYTES, heapBytes / 10);
    }

    /** Tasks an executor runs at once: its cores divided by the cores of a task ({@code spark.task.cpus}), at least 1. */
    public static int tasksPerExecutor(int executorCores, int taskCpus) {
        return Math.max(1, executorCores / Math.max(1, taskCpus));
    }

    /**
     * The settings for executors with {@code heapBytes} of heap ({@code spark.executor.memory}) and
     * {@code executorCores} cores, each task taking {@code taskCpus} of them.
     */
    public Recommendation recommend(long heapBytes, int executorCores, int taskCpus) {
        int tasks = tasksPerExecutor(executorCores, taskCpus);
        long offHeap = offHeapBytes(tasks);
        long jvm = jvmOverheadBytes(heapBytes);
        long overheadMib = (jvm + offHeap + MIB - 1) / MIB;
        return new Recommendation(heapBytes, tasks, offHeap, jvm, offHeap, heapBytes + overheadMib * MIB, overheadMib);
    }

    /** One line for logs, e.g. {@code 1,199,882 parameters, batch 128: 304 MiB per task, 14 MiB per executor}. */
    public String describe() {
        return String.format(Locale.ROOT, "%,d parameters, %,d updater-state values, batch %d: %s per task "
                        + "(model %s, averaging %s, minibatch %s, data %s), %s per executor, margin %d MiB",
                parameters, updaterState, batchSize, mib(perTaskBytes()), mib(modelBytes()), mib(averagingCopyBytes()),
                mib(minibatchBytes()), mib(dataBytes()), mib(perExecutorBytes()), NATIVE_MARGIN_MIB);
    }

    /** Bytes as MiB with one decimal, e.g. {@code 303.8 MiB}. */
    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }

    /**
     * Memory settings for an executor, all in bytes except {@code memoryOverheadMib}.
     *
     * <p>JavaCPP's {@code maxbytes} bounds the memory JavaCPP itself tracks: set to the off-heap need. Measured on
     * ND4J 1.0.0-M2.1's CPU backend, its arrays are allocated by libnd4j and are not counted there, so the limit
     * that matters is {@code maxphysicalbytes}: at each allocation through JavaCPP, when the process's resident
     * size (heap included) exceeds it, JavaCPP runs the garbage collector and then fails with
     * {@code OutOfMemoryError: Physical memory usage is too high}. It is set to the container's size, heap +
     * {@code spark.executor.memoryOverhead}, so the job fails with that message rather than being killed by the
     * cluster manager without one.</p>
     *
     * @param heapBytes         the executor's heap ({@code spark.executor.memory})
     * @param tasksPerExecutor  tasks the executor runs at once, each training its own copy of the network
     * @param offHeapBytes      off-heap need of those tasks, {@link MemoryPlan#offHeapBytes(int)}
     * @param jvmOverheadBytes  the JVM's own memory outside the heap, {@link MemoryPlan#jvmOverheadBytes(long)}
     * @param maxBytes          {@code -Dorg.bytedeco.javacpp.maxbytes}: the off-heap need
     * @param maxPhysicalBytes  {@code -Dorg.bytedeco.javacpp.maxphysicalbytes}: heap + memory overhead
     * @param memoryOverheadMib {@code spark.executor.memoryOverhead} in MiB: JVM overhead + off-heap need, rounded up
     */
    public record Recommendation(long heapBytes, int tasksPerExecutor, long offHeapBytes, long jvmOverheadBytes,
                                 long maxBytes, long maxPhysicalBytes, long memoryOverheadMib) {
        /** The JavaCPP system properties, e.g. {@code -Dorg.bytedeco.javacpp.maxbytes=... -Dorg.bytedeco.javacpp.maxphysicalbytes=...}. */
        public String javaOptions() {
            return "-Dorg.bytedeco.javacpp.maxbytes=" + maxBytes + " -Dorg.bytedeco.javacpp.maxphysicalbytes="
                    + maxPhysicalBytes;
        }

        /** {@code spark.executor.memoryOverhead}'s value, e.g. {@code 1234m}. */
        public String memoryOverhead() {
            return memoryOverheadMib + "m";
        }
    }
}
