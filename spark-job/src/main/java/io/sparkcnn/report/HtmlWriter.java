package io.sparkcnn.report;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Writes a {@link ReportDocument} as one self-contained HTML page: inline CSS, every figure a PNG
 * {@code data:} URI, no script, font or style sheet from elsewhere, so the file can be mailed or archived and
 * opens offline. Each image marks itself {@code data-loaded="true"} once it has decoded with a non-zero width
 * (or {@code "false"} on an error), which lets a headless browser check that every picture rendered; the body's
 * {@code data-figures} holds the number of figures. Preformatted text longer than {@value #FOLD_LINES} lines (the
 * configuration) is folded.
 */
public final class HtmlWriter {
    private static final String CSS = """
            body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;\
            padding:0 1em;color:#222;line-height:1.45}
            h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
            .subtitle{color:#666;margin-top:0}
            table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #ccc;padding:.25em .7em;text-align:left}
            th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
            pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:.7em;overflow-x:auto;font-size:.85em}
            figure{margin:1em 0}summary{cursor:pointer;color:#1f5fa8}figure img{max-width:100%;border:1px solid #eee}figcaption{color:#555;font-size:.9em}
            """;

    /** Preformatted blocks longer than this many lines are folded ({@code <details>}) until clicked. */
    private static final int FOLD_LINES = 40;

    private HtmlWriter() {
    }

    /** The page as UTF-8. */
    public static byte[] write(ReportDocument doc) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(doc.title())).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body data-figures=\"").append(doc.figureCount()).append("\">\n")
                .append("<h1>").append(escape(doc.title())).append("</h1>\n<p class=\"subtitle\">")
                .append(escape(doc.subtitle())).append("</p>\n");
        for (ReportDocument.Section section : doc.sections()) {
            b.append("<section>\n<h2>").append(escape(section.heading())).append("</h2>\n");
            for (ReportDocument.Block block : section.blocks()) {
                block(b, block);
            }
            b.append("</section>\n");
        }
        b.append("</body>\n</html>\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void block(StringBuilder b, ReportDocument.Block block) {
        if (block instanceof ReportDocument.Text t) {
            b.append("<p>").append(escape(t.text())).append("</p>\n");
        } else if (block instanceof ReportDocument.Pre p) {
            long lines = p.text().lines().count();
            if (lines > FOLD_LINES) {
                b.append("<details><summary>").append(lines).append(" lines</summary>\n<pre>").append(escape(p.text()))
                        .append("</pre>\n</details>\n");
            } else {
                b.append("<pre>").append(escape(p.text())).append("</pre>\n");
            }
        } else if (block instanceof ReportDocument.Table t) {
            b.append("<table>\n<thead><tr>");
            t.header().forEach(h -> b.append("<th>").append(escape(h)).append("</th>"));
            b.append("</tr></thead>\n<tbody>\n");
            for (List<String> row : t.rows()) {
                b.append("<tr>");
                row.forEach(c -> b.append(isNumber(c) ? "<td class=\"num\">" : "<td>").append(escape(c)).append("</td>"));
                b.append("</tr>\n");
            }
            b.append("</tbody>\n</table>\n");
        } else if (block instanceof ReportDocument.Figure f) {
            b.append("<figure>\n<img alt=\"").append(escape(f.alt())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(f.png()))
                    .append("\" onload=\"this.dataset.loaded=String(this.naturalWidth>0)\"")
                    .append(" onerror=\"this.dataset.loaded='false'\">\n<figcaption>").append(escape(f.caption()))
                    .append("</figcaption>\n</figure>\n");
        }
    }

    private static boolean isNumber(String s) {
        return s.matches("-?[0-9][0-9,]*(\\.[0-9]+)?( %)?");
    }

    /** Text made safe for HTML element content and attribute values. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
