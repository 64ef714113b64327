package io.sparkcnn.eval;

import org.nd4j.evaluation.classification.Evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Classification quality on the held-out test set, computed from the confusion matrix alone so that every
 * figure is reproducible from {@link #confusion()}. A class that is never predicted has precision 0; a class
 * absent from the test set has recall 0; F1 is 0 when precision and recall are both 0.
 *
 * @param examples  number of test images
 * @param accuracy  fraction of test images classified correctly, in [0, 1]
 * @param macroF1   unweighted mean of the per-class F1 scores over the classes that occur among the labels or
 *                  the predictions (as scikit-learn's default), so a test set of digits 5-9 is not averaged
 *                  with five empty classes
 * @param perClass  one entry per class, label order
 * @param confusion {@code confusion[actual][predicted]} counts
 */
public record EvaluationReport(long examples, double accuracy, double macroF1, List<ClassMetrics> perClass,
                               long[][] confusion) {

    /** Metrics of one class; {@code support} is the number of test images of that class. */
    public record ClassMetrics(int label, double precision, double recall, double f1, long support) {
    }

    /** Reads the confusion matrix of a DL4J evaluation (as the executors accumulated it). */
    public static EvaluationReport from(Evaluation evaluation, int numClasses) {
        long[][] m = new long[numClasses][numClasses];
        for (int a = 0; a < numClasses; a++) {
            for (int p = 0; p < numClasses; p++) {
                m[a][p] = evaluation.getConfusionMatrix().getCount(a, p);
            }
        }
        return fromConfusion(m);
    }

    public static EvaluationReport fromConfusion(long[][] confusion) {
        int k = confusion.length;
        long total = 0;
        long correct = 0;
        long[] actual = new long[k];
        long[] predicted = new long[k];
        for (int a = 0; a < k; a++) {
            for (int p = 0; p < k; p++) {
                long c = confusion[a][p];
                total += c;
                actual[a] += c;
                predicted[p] += c;
                if (a == p) {
                    correct += c;
                }
            }
        }
        List<ClassMetrics> classes = new ArrayList<>(k);
        double f1Sum = 0;
        int present = 0;
        for (int i = 0; i < k; i++) {
            long tp = confusion[i][i];
            double precision = predicted[i] == 0 ? 0 : (double) tp / predicted[i];
            double recall = actual[i] == 0 ? 0 : (double) tp / actual[i];
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            if (actual[i] > 0 || predicted[i] > 0) {
                f1Sum += f1;
                present++;
            }
            classes.add(new ClassMetrics(i, precision, recall, f1, actual[i]));
        }
        return new EvaluationReport(total, total == 0 ? 0 : (double) correct / total, present == 0 ? 0 : f1Sum / present,
                List.copyOf(classes), confusion);
    }

    /** A plain-text table of the test set: accuracy, per-class precision/recall/F1/support, the confusion matrix. */
    public String table() {
        return table("test");
    }

    /** The table, its first line naming the held-out set: {@code test} or {@code validation}. */
    public String table(String heldOutRole) {
        StringBuilder b = new StringBuilder();
        String role = heldOutRole.isEmpty() ? "" : Character.toUpperCase(heldOutRole.charAt(0)) + heldOutRole.substring(1);
        b.append(String.format(Locale.ROOT, "%s accuracy: %.4f (%d of %d images), macro F1: %.4f%n",
                role, accuracy, Math.round(accuracy * examples), examples, macroF1));
        b.append(String.format(Locale.ROOT, "%5s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1", "support"));
        for (ClassMetrics c : perClass) {
            b.append(String.format(Locale.ROOT, "%5d %9.4f %9.4f %9.4f %8d%n", c.label(), c.precision(), c.recall(),
                    c.f1(), c.support()));
        }
        b.append("Confusion matrix (rows: actual, columns: predicted)\n");
        b.append(String.format(Locale.ROOT, "%5s", ""));
        for (int p = 0; p < confusion.length; p++) {
            b.append(String.format(Locale.ROOT, "%6d", p));
        }
        b.append('\n');
        for (int a = 0; a < confusion.length; a++) {
            b.append(String.format(Locale.ROOT, "%5d", a));
            for (long c : confusion[a]) {
                b.append(String.format(Locale.ROOT, "%6d", c));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
