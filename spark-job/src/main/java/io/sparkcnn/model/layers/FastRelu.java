package io.sparkcnn.model.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ReLU, {@code max(0, z)}, with the same values and gradients as DL4J's {@code ActivationReLU} but a faster
 * backward pass. DL4J's goes through libnd4j's {@code relu_bp} helper, which calls a {@code std::function} for
 * every element; this one computes {@code dL/dz = epsilon * step(z)} (step is 1 for {@code z > 0}, else 0) with
 * two vectorized element-wise ops. Multiplying by exactly 1 or 0 changes no bit, so training is identical
 * (checked by {@code FastReluTest}); on the {@code seed-cnn} net it saved about an eighth of the training time
 * (the {@code bench} command measures it).
 *
 * <p>Like DL4J's activations, both methods work in place on {@code in}. Stateless: all instances are equal.</p>
 */
public final class FastRelu extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return Transforms.relu(in, false);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        Nd4j.getExecutioner().exec(new Step(in, in, 0.0));
        in.muli(epsilon);
        return new Pair<>(in, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastRelu;
    }

    @Override
    public int hashCode() {
        return FastRelu.class.hashCode();
    }

    @Override
    public String toString() {
        return "relu";
    }
}
