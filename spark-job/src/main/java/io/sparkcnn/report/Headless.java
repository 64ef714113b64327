package io.sparkcnn.report;

/** Makes AWT headless before the first chart or image is drawn, so reports render on machines without a display. */
final class Headless {
    private Headless() {
    }

    static void ensure() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }
}
