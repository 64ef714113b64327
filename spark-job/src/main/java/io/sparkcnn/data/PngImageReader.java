package io.sparkcnn.data;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;

/**
 * Reads one PNG as an MNIST-style image: 8-bit grey, {@code rows x cols}, row-major, 0 = background, 255 = ink,
 * the same bytes an idx file holds, so that {@link ImageBatch#features} turns it into network input exactly as
 * training does.
 *
 * <p>Conversion: grey PNGs (8 or 16 bits) keep their stored grey values (16-bit values are rounded to 8 bits);
 * colour and palette PNGs become their luminance {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, as
 * PIL's {@code convert("L")}), rounded. Transparent pixels are composited onto the background: black, or
 * white with {@code invert} (dark ink on a light background), which inversion then turns into 0.
 * An image of another size is refused unless {@code resize} is set; then it is scaled to the model's size with
 * bilinear interpolation (pixel centres aligned, edges clamped), before inversion. Stateless and thread-safe;
 * no Spark or Hadoop types, so executors use it on streams they open.</p>
 */
public final class PngImageReader {
    /** The eight bytes every PNG file starts with. */
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private PngImageReader() {
    }

    /**
     * Options of the conversion.
     *
     * @param rows   image height the model takes, pixels
     * @param cols   image width the model takes, pixels
     * @param resize scale images of another size to {@code rows x cols} (otherwise they are refused)
     * @param invert the images are dark ink on a light background: invert grey values (v becomes 255 - v)
     */
    public record Options(int rows, int cols, boolean resize, boolean invert) implements java.io.Serializable {
        public Options {
            if (rows < 1 || cols < 1) {
                throw new IllegalArgumentException("image size must be positive, got " + rows + "x" + cols);
            }
        }
    }

    /**
     * Reads the PNG in {@code in} (not closed).
     *
     * @param name the file, for messages
     * @return {@code rows * cols} unsigned bytes, row-major
     * @throws InvalidDataException naming {@code name} when the data is not a PNG, cannot be decoded, or has
     *                              another size and {@code resize} is off
     */
    public static byte[] read(InputStream in, String name, Options options) throws IOException {
        byte[] bytes = in.readAllBytes();
        checkSignature(bytes, name);
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) { // decoders throw unchecked exceptions on some corrupt data
            throw new InvalidDataException(name, "file", "a readable PNG image", "undecodable data ("
                    + rootMessage(e) + ")", e);
        }
        if (image == null) {
            throw new InvalidDataException(name, "file", "a readable PNG image", "data no image reader accepts");
        }
        float[] grey = grey(image, options.invert() ? 255f : 0f);
        int width = image.getWidth();
        int height = image.getHeight();
        if (width != options.cols() || height != options.rows()) {
            if (!options.resize()) {
                throw new InvalidDataException(name, "file", "a " + options.cols() + "x" + options.rows()
                        + " image (width x height, the model's input size; --resize scales other sizes)",
                        "a " + width + "x" + height + " image");
            }
            grey = bilinear(grey, height, width, options.rows(), options.cols());
        }
        byte[] out = new byte[grey.length];
        for (int i = 0; i < grey.length; i++) {
            int v = Math.round(Math.max(0f, Math.min(255f, grey[i])));
            out[i] = (byte) (options.invert() ? 255 - v : v);
        }
        return out;
    }

    private static void checkSignature(byte[] bytes, String name) {
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (i >= bytes.length || bytes[i] != SIGNATURE[i]) {
                String found = bytes.length == 0 ? "an empty file" : "bytes "
                        + HexFormat.ofDelimiter(" ").formatHex(bytes, 0, Math.min(8, bytes.length)) + " (not a PNG)";
                throw new InvalidDataException(name, "offset 0", "the PNG signature 89 50 4e 47 0d 0a 1a 0a", found);
            }
        }
    }

    /**
     * Grey values 0-255 of every pixel, row-major, as floats; transparency composited onto {@code background}.
     * Grey images are read from their raster, because Java's grey colour space is linear and would change the
     * stored values on the way through {@link BufferedImage#getRGB}.
     */
    static float[] grey(BufferedImage image, float background) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[w * h];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        boolean greyModel = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1
                && !(cm instanceof java.awt.image.IndexColorModel);
        if (greyModel) {
            float maxGrey = (1 << cm.getComponentSize(0)) - 1;
            float maxAlpha = cm.hasAlpha() ? (1 << cm.getComponentSize(1)) - 1 : 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = raster.getSample(x, y, 0) * 255f / maxGrey;
                    float a = cm.hasAlpha() ? raster.getSample(x, y, 1) / maxAlpha : 1f;
                    out[y * w + x] = a * v + (1 - a) * background;
                }
            }
            return out;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = image.getRGB(x, y);
                float a = (argb >>> 24) / 255f;
                float v = 0.299f * ((argb >> 16) & 0xFF) + 0.587f * ((argb >> 8) & 0xFF) + 0.114f * (argb & 0xFF);
                out[y * w + x] = a * v + (1 - a) * background;
            }
        }
        return out;
    }

    /** Bilinear resampling of a {@code h x w} grid to {@code rows x cols}, pixel centres aligned, edges clamped. */
    static float[] bilinear(float[] src, int h, int w, int rows, int cols) {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            double sy = clamp((r + 0.5) * h / rows - 0.5, h - 1);
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int c = 0; c < cols; c++) {
                double sx = clamp((c + 0.5) * w / cols - 0.5, w - 1);
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                double v = (1 - fy) * ((1 - fx) * src[y0 * w + x0] + fx * src[y0 * w + x1])
                        + fy * ((1 - fx) * src[y1 * w + x0] + fx * src[y1 * w + x1]);
                out[r * cols + c] = (float) v;
            }
        }
        return out;
    }

    private static double clamp(double v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
