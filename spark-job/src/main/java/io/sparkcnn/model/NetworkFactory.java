package io.sparkcnn.model;

import io.sparkcnn.config.InvalidConfigException;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.config.LayerConfig;
import io.sparkcnn.config.NetworkConfig;
import io.sparkcnn.config.PaddingConfig;
import io.sparkcnn.config.PenaltyConfig;
import io.sparkcnn.config.UpdaterConfig;
import io.sparkcnn.model.layers.FastDropout;
import io.sparkcnn.model.layers.FastRelu;
import io.sparkcnn.model.layers.FlatToNhwcPreProcessor;
import io.sparkcnn.model.layers.Padding2D;
import io.sparkcnn.model.layers.PaddingKind;
import io.sparkcnn.model.regularization.ElasticNetPenalty;
import io.sparkcnn.model.regularization.IndexPowerPenalty;
import io.sparkcnn.model.regularization.LassoPenalty;
import io.sparkcnn.model.regularization.LpPenalty;
import io.sparkcnn.model.regularization.RidgePenalty;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationMish;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.AdaMax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nadam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds DL4J configurations from {@link NetworkConfig}s: a pure function of the network, the seed and the
 * image size. Images of {@code rows x cols} enter as flat rows of pixels in [0, 1] (a network that starts with
 * a convolution reshapes them to {@code 1 x rows x cols}).
 *
 * <p>Padding: zero padding with equal amounts on opposite sides is the convolution's own (oneDNN) padding;
 * unequal zero padding is DL4J's {@link ZeroPaddingLayer}; edge, symmetric, reflect and wrap padding is a
 * {@link Padding2D} layer named {@code <convolution>_pad} in front of the convolution. Dropout rates have
 * Keras's meaning (the fraction dropped; DL4J's own parameter is the fraction kept); dropout layers draw their
 * masks with {@link FastDropout}. Regularizers apply to weights only, never to biases nor to batch normalization.
 *
 * <p>Images are NHWC when {@link #nhwcSafe} allows ({@link FlatToNhwcPreProcessor} in front of a spatial first
 * layer; every convolution and pooling layer takes the format from its input), so oneDNN's kernels work on the
 * arrays as they are, without converting them to its layout and back; flattening before a dense layer then takes
 * height, width, then channels, as Keras's {@code channels_last} does. Otherwise NCHW, DL4J's default.
 *
 * <p>Speed, without changing a single trained value: layers cache their pre-activations for the backward pass
 * ({@code CacheMode.DEVICE}; by default DL4J runs every convolution's forward pass twice per minibatch), and ReLU
 * is {@link FastRelu}.
 */
public final class NetworkFactory {
    private NetworkFactory() {
    }

    /** The network input for images of {@code rows x cols}: flat rows, reshaped when the network starts spatially. */
    public static InputType inputType(NetworkConfig net, int rows, int cols) {
        return net.takesImages() ? InputType.convolutionalFlat(rows, cols, 1) : InputType.feedForward((long) rows * cols);
    }

    /**
     * Checks that {@code model.network} builds for {@code data.image-rows} x {@code data.image-cols} images, the
     * one check of a job configuration that needs the network factory (the rest is {@code ConfigLoader}'s).
     *
     * @return {@code cfg}
     * @throws InvalidConfigException naming the layer that does not fit
     */
    public static JobConfig checkFits(JobConfig cfg) {
        try {
            build(cfg.model().network(), 0, cfg.data().imageRows(), cfg.data().imageCols());
        } catch (RuntimeException e) {
            throw new InvalidConfigException(List.of("model.network does not fit " + cfg.data().imageRows() + "x"
                    + cfg.data().imageCols() + " images: " + e.getMessage()));
        }
        return cfg;
    }

    /**
     * @throws IllegalArgumentException naming the layer when the layers do not fit the image size (a kernel
     *                                  larger than its input, say)
     */
    public static MultiLayerConfiguration build(NetworkConfig net, long seed, int rows, int cols) {
        return build(net, seed, rows, cols, true);
    }

    /** As {@link #build(NetworkConfig, long, int, int)}; {@code nhwcAllowed = false} keeps DL4J's NCHW everywhere. */
    static MultiLayerConfiguration build(NetworkConfig net, long seed, int rows, int cols, boolean nhwcAllowed) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(weightInit(net.weightInit()))
                .updater(updater(net.updater()))
                .convolutionMode(ConvolutionMode.Truncate)
                .cacheMode(CacheMode.DEVICE)
                .list();
        List<Layer> layers = layers(net, rows, cols);
        for (Layer layer : layers) {
            list.layer(layer);
        }
        if (nhwcAllowed && net.takesImages() && nhwcSafe(layers)) {
            list.inputPreProcessor(0, new FlatToNhwcPreProcessor(rows, cols, 1));
        }
        return list.setInputType(inputType(net, rows, cols)).build();
    }

    /**
     * Activations whose gradients DL4J computes correctly on the NHWC convolution layers' permuted arrays: each gives
     * the gradients of the same network in NCHW ({@code NhwcNetworksTest}). DL4J's own ReLU and SELU are not among
     * them: their backward passes give wrong gradients there (libnd4j 1.0.0-M2.1, checked against finite
     * differences); ReLU is {@link FastRelu} anyway.
     */
    private static final Set<Class<? extends IActivation>> NHWC_ACTIVATIONS = Set.of(FastRelu.class,
            ActivationIdentity.class, ActivationTanH.class, ActivationSigmoid.class, ActivationELU.class,
            ActivationSoftPlus.class, ActivationSoftSign.class, ActivationSwish.class, ActivationGELU.class,
            ActivationMish.class);

    /**
     * Whether the spatial layers may run NHWC: no padding layer (their NHWC backward passes are not tested here)
     * and only activations from {@link #NHWC_ACTIVATIONS} on convolutions. Otherwise the network stays NCHW.
     */
    static boolean nhwcSafe(List<Layer> layers) {
        for (Layer layer : layers) {
            if (layer instanceof Padding2D || layer instanceof ZeroPaddingLayer) {
                return false;
            }
            if (layer instanceof ConvolutionLayer c && !NHWC_ACTIVATIONS.contains(c.getActivationFn().getClass())) {
                return false;
            }
        }
        return true;
    }

    /** The DL4J layers of {@code net} in order, padding layers included. */
    public static List<Layer> layers(NetworkConfig net, int rows, int cols) {
        List<Layer> out = new ArrayList<>();
        int h = rows;
        int w = cols;
        for (LayerConfig l : net.layers()) {
            PenaltyConfig penalty = l.regularization() == null ? net.regularization() : l.regularization();
            switch (l.type()) {
                case "conv" -> {
                    int[] pad = padAmounts(l, h, w);
                    int top = pad[0], bottom = pad[1], left = pad[2], right = pad[3];
                    boolean zero = l.padding().kind().equals("zero");
                    boolean own = zero && top == bottom && left == right;
                    if (!own) {
                        out.add(zero ? new ZeroPaddingLayer.Builder(top, bottom, left, right).name(l.name() + "_pad").build()
                                : new Padding2D.Builder(PaddingKind.fromName(l.padding().kind()), top, bottom, left, right)
                                .name(l.name() + "_pad").build());
                    }
                    h = outSize(l, "height", h + top + bottom, l.kernelH(), l.strideH());
                    w = outSize(l, "width", w + left + right, l.kernelW(), l.strideW());
                    out.add(withPenalty(new ConvolutionLayer.Builder(l.kernelH(), l.kernelW())
                            .stride(l.strideH(), l.strideW())
                            .padding(own ? top : 0, own ? left : 0)
                            .nOut(l.size()), penalty)
                            .name(l.name()).activation(activationFunction(l.activation())).build());
                }
                case "max-pool", "avg-pool" -> {
                    h = outSize(l, "height", h, l.kernelH(), l.strideH());
                    w = outSize(l, "width", w, l.kernelW(), l.strideW());
                    out.add(new SubsamplingLayer.Builder(l.type().equals("max-pool") ? PoolingType.MAX : PoolingType.AVG)
                            .kernelSize(l.kernelH(), l.kernelW()).stride(l.strideH(), l.strideW()).name(l.name()).build());
                }
                case "dropout" -> out.add(new DropoutLayer.Builder().dropOut(new FastDropout(1.0 - l.rate()))
                        .name(l.name()).build());
                case "batch-norm" -> out.add(batchNorm(l));
                case "dense" -> out.add(withPenalty(new DenseLayer.Builder().nOut(l.size()), penalty)
                        .name(l.name()).activation(activationFunction(l.activation())).build());
                case "output" -> out.add(withPenalty(new OutputLayer.Builder(loss(l.loss())).nOut(l.size()), penalty)
                        .name(l.name()).activation(activationFunction(l.activation())).build());
                default -> throw new IllegalArgumentException("unknown layer type '" + l.type() + "'");
            }
        }
        return out;
    }

    /**
     * Pixels added {top, bottom, left, right}. "Same" follows TensorFlow: the output has ceil(in / stride)
     * pixels and the odd pixel of the total goes to the bottom or right.
     */
    static int[] padAmounts(LayerConfig l, int h, int w) {
        PaddingConfig p = l.padding();
        if (!p.same()) {
            return new int[]{p.top(), p.bottom(), p.left(), p.right()};
        }
        int totalH = sameTotal(h, l.kernelH(), l.strideH());
        int totalW = sameTotal(w, l.kernelW(), l.strideW());
        return new int[]{totalH / 2, totalH - totalH / 2, totalW / 2, totalW - totalW / 2};
    }

    private static int sameTotal(int in, int kernel, int stride) {
        int out = (in + stride - 1) / stride;
        return Math.max((out - 1) * stride + kernel - in, 0);
    }

    private static int outSize(LayerConfig l, String dim, int in, int kernel, int stride) {
        if (kernel > in) {
            throw new IllegalArgumentException("layer " + l.name() + ": its " + dim + " " + kernel
                    + " is larger than its input's " + dim + " " + in + " (padding included)");
        }
        return (in - kernel) / stride + 1;
    }

    /**
     * Batch normalization that keeps the moving variance itself (not DL4J's default log10 of the standard deviation),
     * so that averaging the parameters of the workers averages their variances; no penalty on its scale and shift.
     */
    private static Layer batchNorm(LayerConfig l) {
        return new BatchNormalization.Builder().decay(l.momentum()).eps(l.epsilon()).useLogStd(false)
                .regularization(List.of()).regularizationBias(List.of()).name(l.name()).build();
    }

    private static <B extends BaseLayer.Builder<B>> B withPenalty(B builder, PenaltyConfig penalty) {
        builder.regularization(penalty.isNone() ? List.of() : List.of(regularization(penalty)));
        builder.regularizationBias(List.of());
        return builder;
    }

    /** The DL4J regularization of a penalty config (not {@code none}). */
    public static Regularization regularization(PenaltyConfig p) {
        return switch (p.type()) {
            case "l2" -> new RidgePenalty(p.strength());
            case "l1" -> new LassoPenalty(p.strength());
            case "elastic-net" -> new ElasticNetPenalty(p.l1(), p.l2());
            case "index-power" -> new IndexPowerPenalty(p.strength(), p.power());
            case "lp" -> new LpPenalty(p.strength(), p.p(), p.epsilon());
            default -> throw new IllegalArgumentException("no regularization for type '" + p.type() + "'");
        };
    }

    /** The DL4J updater of {@code u}, its learning rate following {@code u.schedule()} by epoch. */
    static IUpdater updater(UpdaterConfig u) {
        IUpdater updater = fixedUpdater(u);
        UpdaterConfig.Schedule s = u.schedule();
        if (!s.isNone()) {
            updater.setLrAndSchedule(Double.NaN, switch (s.type()) {
                case "exponential" -> new ExponentialSchedule(ScheduleType.EPOCH, u.learningRate(), s.gamma());
                case "step" -> new StepSchedule(ScheduleType.EPOCH, u.learningRate(), s.gamma(), s.every());
                default -> throw new IllegalArgumentException("unknown learning rate schedule '" + s.type() + "'");
            });
        }
        return updater;
    }

    private static IUpdater fixedUpdater(UpdaterConfig u) {
        return switch (u.type()) {
            case "adadelta" -> AdaDelta.builder().rho(u.rho()).epsilon(u.epsilon()).build();
            case "adam" -> Adam.builder().learningRate(u.learningRate()).beta1(u.beta1()).beta2(u.beta2())
                    .epsilon(u.epsilon()).build();
            case "adamax" -> new AdaMax(u.learningRate(), u.beta1(), u.beta2(), u.epsilon());
            case "nadam" -> Nadam.builder().learningRate(u.learningRate()).beta1(u.beta1()).beta2(u.beta2())
                    .epsilon(u.epsilon()).build();
            case "sgd" -> new Sgd(u.learningRate());
            case "nesterovs" -> new Nesterovs(u.learningRate(), u.momentum());
            case "rmsprop" -> new RmsProp(u.learningRate(), u.rho(), u.epsilon());
            case "adagrad" -> new AdaGrad(u.learningRate(), u.epsilon());
            default -> throw new IllegalArgumentException("unknown updater '" + u.type() + "'");
        };
    }

    static WeightInit weightInit(String name) {
        try {
            return WeightInit.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown weight-init '" + name + "'; DL4J knows "
                    + java.util.Arrays.stream(WeightInit.values()).map(v -> v.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
        }
    }

    static Activation activation(String name) {
        return Activation.valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** The activation named {@code name}; ReLU is {@link FastRelu}, DL4J's ReLU with a faster backward pass. */
    static IActivation activationFunction(String name) {
        Activation a = activation(name);
        return a == Activation.RELU ? new FastRelu() : a.getActivationFunction();
    }

    static LossFunction loss(String name) {
        return LossFunction.valueOf(name.toUpperCase(Locale.ROOT));
    }
}
