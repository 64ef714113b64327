package io.sparkcnn.predict;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Writes predictions as they come, one record per input, in one of two formats:
 * <ul>
 *   <li>{@code csv} (RFC 4180, {@code \n} line ends): a header row, then
 *   {@code source,label,probability}, then {@code actual} when the input has labels, {@code inverted}
 *   ({@code true}/{@code false}) for PNG inputs, then
 *   {@code label_2,probability_2,…,label_K,probability_K} for {@code top = K > 1}; probabilities with six
 *   decimals; a source containing a comma, quote or line break is quoted;</li>
 *   <li>{@code json}: one array of objects {@code {"source", "label", "probability", "actual"?, "inverted"?,
 *   "top": [{"label", "probability"}…]?}}, written by Jackson, probabilities as full-precision floats.</li>
 * </ul>
 * {@link #close()} finishes the document and flushes, but does not close the underlying writer.
 */
public final class PredictionWriter implements Consumer<Prediction>, AutoCloseable {
    /** Output formats. */
    public enum Format { CSV, JSON }

    private final Writer out;
    private final Format format;
    private final int top;
    private final boolean withActual;
    private final boolean withInverted;
    private final JsonGenerator json;

    /**
     * @param top        labels per input, most probable first (1 = the predicted label only)
     * @param withActual   add the input's own label (CSV rows with a label column)
     * @param withInverted add whether the input was inverted (PNGs)
     */
    public PredictionWriter(Writer out, Format format, int top, boolean withActual, boolean withInverted) {
        if (top < 1) {
            throw new IllegalArgumentException("top must be at least 1, got " + top);
        }
        this.out = out;
        this.format = format;
        this.top = top;
        this.withActual = withActual;
        this.withInverted = withInverted;
        try {
            if (format == Format.JSON) {
                json = new JsonFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                json.setPrettyPrinter(new DefaultPrettyPrinter());
                json.writeStartArray();
            } else {
                json = null;
                StringBuilder header = new StringBuilder("source,label,probability");
                if (withActual) {
                    header.append(",actual");
                }
                if (withInverted) {
                    header.append(",inverted");
                }
                for (int k = 2; k <= top; k++) {
                    header.append(",label_").append(k).append(",probability_").append(k);
                }
                out.write(header.append('\n').toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void accept(Prediction p) {
        int[] labels = p.top(top);
        try {
            if (format == Format.JSON) {
                json.writeStartObject();
                json.writeStringField("source", p.source());
                json.writeNumberField("label", p.label());
                json.writeNumberField("probability", p.probability());
                if (withActual) {
                    json.writeNumberField("actual", p.actual());
                }
                if (withInverted) {
                    json.writeBooleanField("inverted", Boolean.TRUE.equals(p.inverted()));
                }
                if (top > 1) {
                    json.writeArrayFieldStart("top");
                    for (int label : labels) {
                        json.writeStartObject();
                        json.writeNumberField("label", label);
                        json.writeNumberField("probability", p.probabilities()[label]);
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                }
                json.writeEndObject();
                return;
            }
            StringBuilder line = new StringBuilder(quote(p.source())).append(',').append(p.label()).append(',')
                    .append(decimal(p.probability()));
            if (withActual) {
                line.append(',').append(p.actual());
            }
            if (withInverted) {
                line.append(',').append(Boolean.TRUE.equals(p.inverted()));
            }
            for (int k = 1; k < labels.length; k++) {
                line.append(',').append(labels[k]).append(',').append(decimal(p.probabilities()[labels[k]]));
            }
            out.write(line.append('\n').toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (json != null) {
                json.writeEndArray();
                json.writeRaw('\n');
                json.close();
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String decimal(float v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    /** A CSV field per RFC 4180: quoted, with doubled quotes, when it holds a comma, quote or line break. */
    static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }
}
