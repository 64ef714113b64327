package io.sparkcnn.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Writes a {@link ReportDocument} as a Jupyter notebook in nbformat 4.5 (the format's JSON schema is
 * {@code nbformat.v4.5.schema.json}). Text becomes markdown cells; every figure becomes a code cell whose output
 * is already stored ({@code display_data} with {@code image/png} and {@code text/plain}), so the notebook reads
 * complete in Jupyter, JupyterLab, VS Code or GitHub without running anything. The code cells hold only a
 * comment naming their figure (the figures are drawn in Java); their {@code execution_count}s are 1, 2, 3, …
 * in order, as if the notebook had been run once from the top.
 */
public final class NotebookWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private NotebookWriter() {
    }

    /** The notebook as UTF-8 JSON. */
    public static byte[] write(ReportDocument doc) {
        ObjectNode nb = JSON.createObjectNode();
        ObjectNode meta = nb.putObject("metadata");
        ObjectNode kernel = meta.putObject("kernelspec");
        kernel.put("name", "python3");
        kernel.put("display_name", "Python 3");
        kernel.put("language", "python");
        meta.putObject("language_info").put("name", "python");
        meta.put("title", doc.title());
        nb.put("nbformat", 4);
        nb.put("nbformat_minor", 5);
        ArrayNode cells = nb.putArray("cells");
        Counter ids = new Counter();
        int executionCount = 0;
        StringBuilder md = new StringBuilder();
        md.append("# ").append(inline(doc.title())).append("\n\n").append(inline(doc.subtitle())).append("\n\n")
                .append("*Every output below is stored in the notebook: nothing needs to be run. The figures were drawn "
                        + "in Java when the report was made; their code cells only name them.*\n");
        for (ReportDocument.Section section : doc.sections()) {
            flush(cells, ids, md);
            md.append("## ").append(inline(section.heading())).append('\n');
            for (ReportDocument.Block block : section.blocks()) {
                if (block instanceof ReportDocument.Figure fig) {
                    flush(cells, ids, md);
                    executionCount++;
                    cells.add(figureCell(ids.next(), executionCount, fig));
                } else {
                    md.append('\n').append(markdown(block));
                }
            }
        }
        flush(cells, ids, md);
        try {
            return JSON.writeValueAsBytes(nb);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the notebook: " + e.getMessage(), e);
        }
    }

    private static void flush(ArrayNode cells, Counter ids, StringBuilder md) {
        if (md.length() == 0) {
            return;
        }
        ObjectNode cell = cells.addObject();
        cell.put("id", ids.next());
        cell.put("cell_type", "markdown");
        cell.putObject("metadata");
        source(cell, md.toString());
        md.setLength(0);
    }

    private static ObjectNode figureCell(String id, int executionCount, ReportDocument.Figure fig) {
        ObjectNode cell = JSON.createObjectNode();
        cell.put("id", id);
        cell.put("cell_type", "code");
        cell.put("execution_count", executionCount);
        cell.putObject("metadata").put("collapsed", false);
        source(cell, "# Figure: " + fig.caption() + "\n# (drawn in Java by spark-cnn-trainer; the output below is stored)");
        ObjectNode out = cell.putArray("outputs").addObject();
        out.put("output_type", "display_data");
        ObjectNode data = out.putObject("data");
        data.put("image/png", Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(fig.png()) + "\n");
        data.put("text/plain", fig.alt());
        out.putObject("metadata");
        return cell;
    }

    /** Jupyter's multiline string: a list of lines, each but the last ending in a newline. */
    private static void source(ObjectNode cell, String text) {
        ArrayNode lines = cell.putArray("source");
        for (String line : lines(text)) {
            lines.add(line);
        }
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    private static String markdown(ReportDocument.Block block) {
        if (block instanceof ReportDocument.Text t) {
            return inline(t.text()) + "\n";
        }
        if (block instanceof ReportDocument.Pre p) {
            return "```\n" + p.text().replace("```", "` ` `") + "\n```\n";
        }
        ReportDocument.Table t = (ReportDocument.Table) block;
        StringBuilder b = new StringBuilder();
        b.append(row(t.header()));
        b.append("|").append("---|".repeat(t.header().size())).append('\n');
        t.rows().forEach(r -> b.append(row(r)));
        return b.toString();
    }

    private static String row(List<String> cells) {
        StringBuilder b = new StringBuilder("|");
        cells.forEach(c -> b.append(' ').append(inline(c).replace("|", "\\|")).append(" |"));
        return b.append('\n').toString();
    }

    /** Plain text made safe for markdown: characters that would start markup are escaped. */
    static String inline(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if ("\\`*_[]<>#".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c == '\n' ? ' ' : c);
        }
        return b.toString();
    }

    /** Cell ids {@code cell-1}, {@code cell-2}, … (nbformat 4.5 wants a unique id per cell). */
    private static final class Counter {
        private int n;

        String next() {
            n++;
            return "cell-" + n;
        }
    }
}
