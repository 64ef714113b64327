package io.sparkcnn.data;

/**
 * Input data does not have the expected form. The message names the file, where in it (byte offset or
 * line), what was expected and what was found, e.g.
 * {@code train-images-idx3-ubyte: offset 0: expected magic number 0x00000803, found 0x00000801}.
 */
public final class InvalidDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final String location;
    private final String expected;
    private final String actual;

    public InvalidDataException(String file, String location, String expected, String actual) {
        this(file, location, expected, actual, null);
    }

    public InvalidDataException(String file, String location, String expected, String actual, Throwable cause) {
        super(file + ": " + location + ": expected " + expected + ", found " + actual, cause);
        this.file = file;
        this.location = location;
        this.expected = expected;
        this.actual = actual;
    }

    /** The file (as given in the configuration, or its qualified Hadoop path). */
    public String file() {
        return file;
    }

    /** Where in the file: {@code offset N}, {@code line N}, or {@code file} for the file as a whole. */
    public String location() {
        return location;
    }

    /** What the input should have held there. */
    public String expected() {
        return expected;
    }

    /** What it held. */
    public String actual() {
        return actual;
    }
}
