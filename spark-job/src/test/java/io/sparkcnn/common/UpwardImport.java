package io.sparkcnn.common;

import io.sparkcnn.cli.Main;

/** A class of the bottom layer that uses the top one: {@code ArchitectureTest} must report it. */
public final class UpwardImport {
    private UpwardImport() {
    }

    /** Uses {@link Main}, which the bottom layer must not. */
    public static String mainName() {
        return Main.class.getName();
    }
}
