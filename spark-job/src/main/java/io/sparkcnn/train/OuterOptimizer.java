package io.sparkcnn.train;

import io.sparkcnn.config.OuterConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The driver's step after each averaging round ({@link OuterConfig}): from the parameters the round started from
 * and the workers' average, the parameters of the next round. The momentum buffer {@code v} lives here, on the
 * driver, in the parameters' data type; {@link #toBytes()} and {@link #restore(byte[])} carry it through a
 * checkpoint so that a resumed run takes the same steps.
 *
 * <p>The step is computed as the average plus a correction, {@code average + (lr - 1) Δ + lr momentum v}
 * (Nesterov) or {@code average + (v - Δ)} (heavy ball), so that with {@code lr = 1} and {@code momentum = 0}
 * the correction is exactly zero and the result is the average bit for bit.</p>
 */
public final class OuterOptimizer {
    private static final int FORMAT = 1;
    private final OuterConfig cfg;
    private INDArray velocity;
    private long steps;

    /** @param cfg a resolved method ({@link WorkerScaling} resolves {@code auto}) */
    public OuterOptimizer(OuterConfig cfg) {
        if (cfg.method().equals(OuterConfig.AUTO)) {
            throw new IllegalArgumentException("the outer method 'auto' must be resolved for the number of workers first");
        }
        this.cfg = cfg;
    }

    public OuterConfig config() {
        return cfg;
    }

    /** Outer steps taken so far (averaging rounds since the start of training, resumed runs included). */
    public long steps() {
        return steps;
    }

    /**
     * The parameters of the next round.
     *
     * @param previous the global parameters the round started from (not modified)
     * @param average  the workers' averaged parameters (returned as they are for {@code none}, else not modified)
     */
    public INDArray step(INDArray previous, INDArray average) {
        steps++;
        if (cfg.plain()) {
            return average;
        }
        INDArray delta = average.sub(previous);
        if (velocity == null) {
            velocity = Nd4j.zerosLike(delta);
        }
        double mu = cfg.momentum();
        double lr = cfg.lr();
        if (cfg.method().equals("nesterov")) {
            velocity.muli(mu).addi(delta);
            return average.add(delta.mul(lr - 1)).addi(velocity.mul(lr * mu));
        }
        velocity.muli(mu).addi(delta.mul(lr));
        return average.add(velocity.sub(delta));
    }

    /** The momentum buffer and step count; {@code null} for plain averaging, which has no state. */
    public byte[] toBytes() {
        if (cfg.plain()) {
            return null;
        }
        float[] v = velocity == null ? new float[0] : velocity.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                .toFloatVector();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + 4 * v.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeUTF(cfg.method());
            out.writeLong(steps);
            out.writeInt(v.length);
            for (float f : v) {
                out.writeFloat(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Restores the state {@link #toBytes()} wrote, for parameters of {@code like}'s length and type.
     *
     * @throws IllegalArgumentException when the bytes are of another format, method or length
     */
    public void restore(byte[] bytes, INDArray like) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readInt();
            String method = in.readUTF();
            if (format != FORMAT || !method.equals(cfg.method())) {
                throw new IllegalArgumentException("outer optimizer state of format " + format + " and method " + method
                        + ", expected format " + FORMAT + " and method " + cfg.method());
            }
            long restoredSteps = in.readLong();
            int length = in.readInt();
            if (length != 0 && length != like.length()) {
                throw new IllegalArgumentException("outer optimizer state has " + length + " values, the network "
                        + like.length() + " parameters");
            }
            float[] v = new float[length];
            for (int i = 0; i < length; i++) {
                v[i] = in.readFloat();
            }
            steps = restoredSteps;
            velocity = length == 0 ? null : Nd4j.createFromArray(v).castTo(like.dataType()).reshape(like.shape());
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable outer optimizer state: " + e.getMessage(), e);
        }
    }
}
