package io.sparkcnn.eval;

import java.util.Locale;

/**
 * Decides whether a retrained model (the challenger) replaces the published one (the champion): it must be
 * no worse in accuracy and in every class's F1, each within {@code tolerance} (absolute, e.g. 0.002 = 0.2
 * points). Both must have been evaluated on held-out sets of the same kind; the decision and its numbers are
 * meant for the manifest and the log.
 *
 * @param tolerance how much worse than the champion a figure may be, &gt;= 0
 */
public record PromotionGate(double tolerance) {
    /**
     * @param promote whether the challenger becomes the champion
     * @param reason  the figures behind the decision, in one sentence
     */
    public record Decision(boolean promote, String reason) {
    }

    public Decision decide(EvaluationReport champion, EvaluationReport challenger) {
        if (challenger.accuracy() < champion.accuracy() - tolerance) {
            return new Decision(false, String.format(Locale.ROOT,
                    "accuracy %.4f is below the champion's %.4f by more than the tolerance %.4f",
                    challenger.accuracy(), champion.accuracy(), tolerance));
        }
        double worstDrop = 0;
        int worstClass = -1;
        for (int c = 0; c < Math.min(champion.perClass().size(), challenger.perClass().size()); c++) {
            double drop = champion.perClass().get(c).f1() - challenger.perClass().get(c).f1();
            if (drop > worstDrop) {
                worstDrop = drop;
                worstClass = c;
            }
        }
        if (worstDrop > tolerance) {
            return new Decision(false, String.format(Locale.ROOT,
                    "F1 of class %d is %.4f, below the champion's %.4f by more than the tolerance %.4f", worstClass,
                    challenger.perClass().get(worstClass).f1(), champion.perClass().get(worstClass).f1(), tolerance));
        }
        return new Decision(true, String.format(Locale.ROOT,
                "accuracy %.4f against the champion's %.4f, no class's F1 lower by more than %.4f (largest drop %.4f)",
                challenger.accuracy(), champion.accuracy(), tolerance, worstDrop));
    }
}
