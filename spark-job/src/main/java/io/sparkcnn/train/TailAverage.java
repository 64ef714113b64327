package io.sparkcnn.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Stochastic weight averaging over the ends of the last epochs (Izmailov et al., 2018, "Averaging Weights Leads
 * to Wider Optima and Better Generalization"): the weights at the end of each of the last {@code n} of
 * {@code epochs} epochs are summed in double precision, and {@link #applyTo} sets the network's parameters to
 * their mean. Updater state is left as the last epoch made it. Runs on the driver; one parameter vector of sums.
 * Invariant: {@link #count()} is the number of epoch ends added, at most {@code n}.
 */
public final class TailAverage {
    private static final int MAGIC = 0x53574131; // "SWA1"

    private final int epochs;
    private final int firstEpoch;
    private double[] sum;
    private int count;

    /**
     * @param epochs epochs of the run, at least 1
     * @param n      epochs whose end weights are averaged, in [0, epochs]; 0 and 1 both mean the last epoch's own
     */
    public TailAverage(int epochs, int n) {
        if (epochs < 1 || n < 0 || n > epochs) {
            throw new IllegalArgumentException("average the last " + n + " of " + epochs + " epochs?");
        }
        this.epochs = epochs;
        this.firstEpoch = epochs - Math.max(n, 1) + 1;
    }

    /** True when more than one epoch end is averaged, so that the saved weights differ from the last epoch's. */
    public boolean enabled() {
        return firstEpoch < epochs;
    }

    /** The 1-based number of the first epoch whose end weights enter the mean. */
    public int firstEpoch() {
        return firstEpoch;
    }

    /** Epoch ends added so far. */
    public int count() {
        return count;
    }

    /** Adds the network's weights at the end of 1-based epoch {@code epochDone} if it is one of the last n. */
    public void epochDone(int epochDone, MultiLayerNetwork net) {
        if (epochDone < firstEpoch) {
            return;
        }
        INDArray params = net.params();
        if (sum == null) {
            sum = new double[(int) params.length()];
        } else if (sum.length != params.length()) {
            throw new IllegalStateException("the network has " + params.length() + " parameters, the average "
                    + sum.length);
        }
        double[] p = params.toDoubleVector();
        for (int i = 0; i < p.length; i++) {
            sum[i] += p[i];
        }
        count++;
    }

    /** Sets the network's parameters to the mean of the epoch ends added; nothing when fewer than two were. */
    public void applyTo(MultiLayerNetwork net) {
        if (count < 2) {
            return;
        }
        double[] mean = new double[sum.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = sum[i] / count;
        }
        net.setParams(Nd4j.createFromArray(mean).castTo(net.params().dataType()).reshape(net.params().shape()));
    }

    /** The sums and their count, for a checkpoint; {@code null} when nothing was added yet. */
    public byte[] toBytes() {
        if (count == 0) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 8 * sum.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(firstEpoch);
            out.writeInt(count);
            out.writeInt(sum.length);
            for (double v : sum) {
                out.writeDouble(v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Restores the sums written by {@link #toBytes} of a run with the same epochs and n.
     *
     * @throws IllegalArgumentException naming what does not match when the bytes are not such sums
     */
    public void restore(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new IllegalArgumentException(String.format("weight-average state: magic %#x, expected %#x",
                        magic, MAGIC));
            }
            int first = in.readInt();
            if (first != firstEpoch) {
                throw new IllegalArgumentException("weight-average state starts at epoch " + first + ", this run at "
                        + firstEpoch);
            }
            int n = in.readInt();
            if (n < 1 || n > epochs - firstEpoch + 1) {
                throw new IllegalArgumentException("weight-average state holds " + n + " epochs, expected 1 to "
                        + (epochs - firstEpoch + 1));
            }
            int length = in.readInt();
            if (bytes.length != 16 + 8L * length) {
                throw new IllegalArgumentException("weight-average state: " + bytes.length + " bytes, expected "
                        + (16 + 8L * length) + " for " + length + " parameters");
            }
            double[] restored = new double[length];
            for (int i = 0; i < length; i++) {
                restored[i] = in.readDouble();
            }
            sum = restored;
            count = n;
        } catch (IOException e) {
            throw new IllegalArgumentException("weight-average state: " + e.getMessage(), e);
        }
    }
}
