package io.sparkcnn.model.regularization;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Small DOUBLE networks for the penalty tests, with the NoOp updater so that the gradient after the updater step is
 * the minibatch-averaged loss gradient plus the penalty gradient, and the lecture's formulas written element by
 * element as the reference.
 */
final class PenaltyNetworks {
    static final int BATCH = 4;

    private PenaltyNetworks() {
    }

    static Stream<Regularization> penalties() {
        return Stream.of(new RidgePenalty(0.3), new LassoPenalty(0.2), new ElasticNetPenalty(0.2, 0.3),
                new IndexPowerPenalty(0.01, 1.5), new LpPenalty(0.2, 0.5, LpPenalty.DEFAULT_EPSILON));
    }

    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).updater(new NoOp());
    }

    /** Dense(6 → 5, tanh) + softmax output(5 → 3), {@code weights} on the weights of both layers. */
    static MultiLayerConfiguration dense(List<Regularization> weights) {
        return base().list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).regularization(weights).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX)
                        .regularization(weights).build())
                .build();
    }

    /** The same network with the regularization set on the network builder instead of the layers. */
    static MultiLayerConfiguration denseWithNetworkLevel(List<Regularization> regularization) {
        return base().regularization(regularization).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
    }

    /** Conv(3×3, 1 → 2 channels, tanh) on 5×5 images + softmax output(18 → 3), {@code weights} on both layers. */
    static MultiLayerConfiguration conv(List<Regularization> weights) {
        return base().list()
                .layer(new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(2).activation(Activation.TANH)
                        .regularization(weights).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .regularization(weights).build())
                .setInputType(InputType.convolutional(5, 5, 1))
                .build();
    }

    /** The network of {@code conf} with parameters drawn from {@code seed}, all of magnitude in [0.1, 1]. */
    static MultiLayerNetwork network(MultiLayerConfiguration conf, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Random random = new Random(seed);
        double[] values = new double[(int) net.numParams()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (random.nextBoolean() ? 1 : -1) * (0.1 + 0.9 * random.nextDouble());
        }
        net.setParams(Nd4j.createFromArray(values).reshape(1, values.length));
        return net;
    }

    /** Sets a fixed minibatch of {@link #BATCH} examples shaped for {@code net}'s first layer. */
    static void setData(MultiLayerNetwork net) {
        boolean conv = net.getLayer(0).conf().getLayer() instanceof ConvolutionLayer;
        long[] shape = conv ? new long[] {BATCH, 1, 5, 5} : new long[] {BATCH, 6};
        Nd4j.getRandom().setSeed(3);
        net.setInput(Nd4j.rand(DataType.DOUBLE, shape).subi(0.5));
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, BATCH, 3);
        for (int i = 0; i < BATCH; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        net.setLabels(labels);
    }

    /** The reference score of {@code r}, from the lecture's formula written element by element. */
    static double referenceScore(Regularization r, double[] beta) {
        double s = 0;
        for (int i = 0; i < beta.length; i++) {
            double b = beta[i];
            if (r instanceof RidgePenalty p) {
                s += p.getLambda() * b * b;
            } else if (r instanceof LassoPenalty p) {
                s += p.getLambda() * Math.abs(b);
            } else if (r instanceof ElasticNetPenalty p) {
                s += p.getL1() * Math.abs(b) + p.getL2() * b * b;
            } else if (r instanceof IndexPowerPenalty p) {
                s += p.getLambda() * Math.pow(i + 1, p.getK()) * b * b;
            } else if (r instanceof LpPenalty p) {
                s += p.getLambda() * Math.pow(b * b + p.getEpsilon(), p.getP() / 2);
            } else {
                throw new IllegalArgumentException(r.toString());
            }
        }
        return s;
    }

    /** The reference gradient of {@code r}, from the lecture's formula written element by element. */
    static double[] referenceGradient(Regularization r, double[] beta) {
        double[] g = new double[beta.length];
        for (int i = 0; i < beta.length; i++) {
            double b = beta[i];
            if (r instanceof RidgePenalty p) {
                g[i] = 2 * p.getLambda() * b;
            } else if (r instanceof LassoPenalty p) {
                g[i] = p.getLambda() * Math.signum(b);
            } else if (r instanceof ElasticNetPenalty p) {
                g[i] = p.getL1() * Math.signum(b) + 2 * p.getL2() * b;
            } else if (r instanceof IndexPowerPenalty p) {
                g[i] = 2 * p.getLambda() * Math.pow(i + 1, p.getK()) * b;
            } else if (r instanceof LpPenalty p) {
                g[i] = p.getLambda() * p.getP() * b * Math.pow(b * b + p.getEpsilon(), p.getP() / 2 - 1);
            } else {
                throw new IllegalArgumentException(r.toString());
            }
        }
        return g;
    }
}
