package io.sparkcnn.model;

import io.sparkcnn.model.layers.Padding2D;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A table of a network like Keras's {@code model.summary()}: one row per layer with its name and type, its
 * output shape ({@code None} for the batch dimension; convolutional shapes in DL4J's channels-first order)
 * and its number of parameters, then the totals. Frozen layers (transfer learning) are marked and counted
 * as non-trainable.
 *
 * @param rows            one row per layer, input to output
 * @param totalParams     number of parameters of the whole network
 * @param trainableParams number of parameters that training updates (all but the frozen layers')
 */
public record ModelSummary(List<Row> rows, long totalParams, long trainableParams) {

    /** One layer: {@code name (Type)}, output shape, parameter count. */
    public record Row(String layer, String outputShape, long params) {
    }

    public static ModelSummary of(MultiLayerConfiguration conf, InputType input) {
        List<InputType> outputs = conf.getLayerActivationTypes(input);
        List<Row> rows = new ArrayList<>();
        long total = 0;
        long trainable = 0;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            NeuralNetConfiguration layerConf = conf.getConf(i);
            Layer layer = layerConf.getLayer();
            long params = layer.initializer().numParams(layerConf);
            boolean frozen = layer instanceof FrozenLayer;
            Layer inner = frozen ? ((FrozenLayer) layer).getLayer() : layer;
            String name = layer.getLayerName() == null ? "layer_" + i : layer.getLayerName();
            String detail = inner instanceof Padding2D pad ? ", " + pad.getKind().lowerName() : "";
            rows.add(new Row(name + " (" + inner.getClass().getSimpleName() + detail + (frozen ? ", frozen" : "") + ")",
                    shape(outputs.get(i)), params));
            total += params;
            trainable += frozen ? 0 : params;
        }
        return new ModelSummary(List.copyOf(rows), total, trainable);
    }

    private static String shape(InputType t) {
        long[] s = t.getShape(false);
        StringBuilder b = new StringBuilder("(None");
        for (long d : s) {
            b.append(", ").append(d);
        }
        return b.append(')').toString();
    }

    /** The Keras-style table, lines separated by {@code \n}. */
    public String render() {
        int w0 = "Layer (type)".length();
        int w1 = "Output Shape".length();
        for (Row r : rows) {
            w0 = Math.max(w0, r.layer().length());
            w1 = Math.max(w1, r.outputShape().length());
        }
        String fmt = "%-" + (w0 + 2) + "s%-" + (w1 + 2) + "s%,12d";
        String headFmt = "%-" + (w0 + 2) + "s%-" + (w1 + 2) + "s%12s";
        String rule = "=".repeat(w0 + w1 + 16);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, headFmt, "Layer (type)", "Output Shape", "Param #")).append('\n');
        b.append(rule).append('\n');
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, fmt, r.layer(), r.outputShape(), r.params())).append('\n');
        }
        b.append(rule).append('\n');
        b.append(String.format(Locale.ROOT, "Total params: %,d", totalParams)).append('\n');
        b.append(String.format(Locale.ROOT, "Trainable params: %,d", trainableParams)).append('\n');
        b.append(String.format(Locale.ROOT, "Non-trainable params: %,d", totalParams - trainableParams));
        return b.toString();
    }
}
