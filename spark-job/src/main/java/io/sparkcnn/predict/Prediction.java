package io.sparkcnn.predict;

import java.util.Arrays;

/**
 * The class probabilities the network gives one input.
 *
 * @param source        the input: a PNG's path as given, or {@code row N} of a CSV (N counts lines after the
 *                      header, so row N is line N+1)
 * @param probabilities one probability per label 0..n-1 (the softmax output; sums to 1 within float rounding);
 *                      not copied, do not modify
 * @param actual        the label the CSV row gives, or -1 when the input has none
 * @param inverted      for a PNG, whether its grey values were inverted (dark ink on a light background, found by
 *                      {@code --polarity auto} or given); {@code null} for CSV rows, which are taken as they are
 */
public record Prediction(String source, float[] probabilities, int actual, Boolean inverted) {
    /** The predicted label: the most probable one (the lowest label among equals, as ND4J's argmax). */
    public int label() {
        return top(1)[0];
    }

    /** Probability of the predicted label. */
    public float probability() {
        return probabilities[label()];
    }

    /** The {@code k} most probable labels, most probable first, ties in label order; at most all labels. */
    public int[] top(int k) {
        Integer[] order = new Integer[probabilities.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(probabilities[b], probabilities[a]));
        return Arrays.stream(order).limit(Math.min(k, order.length)).mapToInt(Integer::intValue).toArray();
    }
}
