package io.sparkcnn.eval;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class EvaluationReportTest {
    @Test
    void metricsFollowFromTheConfusionMatrix() {
        // actual 0: 8 right, 2 predicted as 1; actual 1: 5 right, 5 predicted as 2; actual 2: never occurs
        long[][] m = {{8, 2, 0}, {0, 5, 5}, {0, 0, 0}};
        EvaluationReport r = EvaluationReport.fromConfusion(m);
        assertEquals(20, r.examples());
        assertEquals(13.0 / 20, r.accuracy(), 1e-12);
        assertEquals(1.0, r.perClass().get(0).precision(), 1e-12);
        assertEquals(0.8, r.perClass().get(0).recall(), 1e-12);
        assertEquals(5.0 / 7, r.perClass().get(1).precision(), 1e-12);
        assertEquals(0.5, r.perClass().get(1).recall(), 1e-12);
        assertEquals(2 * (5.0 / 7) * 0.5 / (5.0 / 7 + 0.5), r.perClass().get(1).f1(), 1e-12);
        assertEquals(0.0, r.perClass().get(2).f1(), 1e-12);
        assertEquals(10, r.perClass().get(1).support());
        // class 2 is predicted (5 times) though it never occurs, so it counts in the macro average
        double f1Class0 = 2 * 1.0 * 0.8 / 1.8;
        assertEquals((f1Class0 + r.perClass().get(1).f1() + 0) / 3, r.macroF1(), 1e-12);
        assertTrue(r.table().contains("Test accuracy: 0.6500 (13 of 20 images)"), r.table());
        assertTrue(r.table("validation").startsWith("Validation accuracy: 0.6500"), r.table("validation"));
    }

    @Test
    void classesThatNeitherOccurNorArePredictedDoNotDiluteMacroF1() {
        // a test set of two of three classes (as for digits 5-9 alone): class 0 never occurs nor is predicted
        long[][] m = {{0, 0, 0}, {0, 9, 1}, {0, 1, 9}};
        EvaluationReport r = EvaluationReport.fromConfusion(m);
        assertEquals(0.9, r.macroF1(), 1e-12);
    }
}
