package io.sparkcnn.report;

import java.util.List;

/**
 * The content of a run report independent of its format: a title, a subtitle and sections of text, tables,
 * preformatted text and figures. {@link NotebookWriter} and {@link HtmlWriter} render the same document, so the
 * notebook and the HTML page always say the same.
 *
 * @param title    the report's heading
 * @param subtitle one line under it (where the model is, when the report was made)
 * @param sections in reading order
 */
public record ReportDocument(String title, String subtitle, List<Section> sections) {
    public ReportDocument {
        sections = List.copyOf(sections);
    }

    /** A part of a section. */
    public sealed interface Block permits Text, Table, Pre, Figure {
    }

    /** A paragraph of plain text (no markup; the writers escape it). */
    public record Text(String text) implements Block {
    }

    /** A table; every row has as many cells as {@code header}. */
    public record Table(List<String> header, List<List<String>> rows) implements Block {
        public Table {
            header = List.copyOf(header);
            rows = rows.stream().map(List::copyOf).toList();
        }
    }

    /** Preformatted text shown in a fixed-width font, lines separated by {@code \n}. */
    public record Pre(String text) implements Block {
    }

    /**
     * A picture.
     *
     * @param caption what it shows, one sentence
     * @param png     a complete PNG file
     * @param alt     a short text in place of the picture (HTML {@code alt}, the notebook's {@code text/plain})
     */
    public record Figure(String caption, byte[] png, String alt) implements Block {
    }

    /** A heading and its blocks. */
    public record Section(String heading, List<Block> blocks) {
        public Section {
            blocks = List.copyOf(blocks);
        }
    }

    /** Number of figures in the whole document. */
    public int figureCount() {
        return (int) sections.stream().flatMap(s -> s.blocks().stream()).filter(b -> b instanceof Figure).count();
    }
}
