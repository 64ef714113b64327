package io.sparkcnn.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Reads one PNG as an MNIST-style image: 8-bit grey, {@code rows x cols}, row-major, 0 = background, 255 = ink,
 * the same bytes an idx file holds, so that {@link ImageBatch#features} turns it into network input exactly as
 * training does.
 *
 * <p><b>Limits, checked before any pixel is decoded.</b> The first 33 bytes (signature and IHDR chunk) are read
 * and checked first: an image declaring more than {@link Options#maxPixels()} pixels (width x height) is refused
 * without reading further. The rest of the file is read through a bound of {@link #maxFileBytes(long)} bytes; a
 * longer file is refused once the bound is passed, and every chunk's declared length must fit in the file (the
 * JDK decoder would otherwise allocate whatever an unknown chunk declares). Text and other metadata chunks are
 * skipped, not inflated.</p>
 *
 * <p><b>Conversion.</b> Grey PNGs (1, 2, 4, 8 or 16 bits) keep their stored grey values scaled to 0-255 (16-bit
 * values rounded to 8 bits, 1-bit values become 0 and 255); colour and palette PNGs become their luminance
 * {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, as PIL's {@code convert("L")}), rounded. Transparency (an
 * alpha channel, or a palette's or a grey or RGB image's tRNS chunk) is composited onto the background: black
 * for {@link Polarity#LIGHT_ON_DARK}, white for {@link Polarity#DARK_ON_LIGHT}, which inversion then turns into
 * 0; {@link Polarity#AUTO} chooses one of the two per image (see there).</p>
 *
 * <p><b>Size.</b> An image of another size than {@code rows x cols} is refused unless {@code resize} is set; then
 * each axis is scaled on its own, before inversion: an axis that shrinks is area-averaged (each output pixel is
 * the mean of the source pixels its footprint covers, partly covered pixels weighted by the fraction covered, so
 * a one-pixel stroke in a 280x280 scan survives as a fainter stroke instead of falling between samples); an
 * axis that grows (or keeps its size) is interpolated bilinearly (pixel centres aligned, edges clamped).</p>
 *
 * <p>Stateless and thread-safe; no Spark or Hadoop types, so executors use it on streams they open.</p>
 */
public final class PngImageReader {
    private static final Logger LOG = LoggerFactory.getLogger(PngImageReader.class);

    /**
     * Default of {@link Options#maxPixels()}: 4096 x 4096 = 16,777,216 pixels. A phone photo of a handwritten digit
     * (12 MP, 4032 x 3024) or a 600 dpi A5 scan still fits, while one decode stays within a few hundred MiB of heap
     * however the file is made: at most 8 bytes a pixel for the decoded raster (16-bit RGBA, 128 MiB), 4 for the
     * grey floats (64 MiB), plus the file itself ({@link #maxFileBytes(long)}, 160 MiB). Executors decode several
     * images at once, one per task, so a larger default would let one odd file take an executor down.
     */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096;

    /** Largest {@link Options#maxPixels()} accepted: 2^27, so that {@link #maxFileBytes(long)} fits a Java array. */
    public static final long MAX_MAX_PIXELS = 1L << 27;

    /** Bytes allowed beyond 9 a pixel in {@link #maxFileBytes(long)}: zlib and chunk framing, metadata chunks. */
    public static final long FILE_OVERHEAD_BYTES = 16L << 20;

    /** The eight bytes every PNG file starts with. */
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    /** Signature (8), IHDR length (4), type (4), data (13), CRC (4). */
    private static final int HEADER_BYTES = 33;

    private PngImageReader() {
    }

    /** Which way round the grey values of the PNGs are, relative to MNIST's light ink on a dark background. */
    public enum Polarity {
        /**
         * Decide per image from the image itself, looking at its border: the outermost row and column on each side
         * of the source image (before resizing). If at least half of the border pixels are opaque (alpha at least
         * 1/2), the image is inverted when the median grey of those opaque border pixels is 128 or more: a light
         * background, so dark ink on paper. If most of the border is transparent, the transparent part is the
         * background and the ink decides: the image is inverted when the alpha-weighted mean grey of all pixels is
         * below 128 (dark strokes drawn on a transparent canvas). The image is then read exactly as with
         * {@link #DARK_ON_LIGHT} (inverted) or {@link #LIGHT_ON_DARK}, and {@link Image#inverted()} says which.
         */
        AUTO,
        /** MNIST's own polarity, light ink on a dark background: grey values are kept; transparency is black. */
        LIGHT_ON_DARK,
        /** Dark ink on a light background (paper): transparency is white, then grey values v become 255 - v. */
        DARK_ON_LIGHT
    }

    /**
     * Options of the conversion.
     *
     * @param rows      image height the model takes, pixels (at least 1)
     * @param cols      image width the model takes, pixels (at least 1)
     * @param resize    scale images of another size to {@code rows x cols} (otherwise they are refused)
     * @param polarity  how the grey values relate to MNIST's light ink on a dark background (not null)
     * @param maxPixels largest width x height a PNG may declare, 1 to {@link #MAX_MAX_PIXELS}; larger images are
     *                  refused from their header, and files longer than {@link #maxFileBytes(long)} of it are
     *                  refused too
     */
    public record Options(int rows, int cols, boolean resize, Polarity polarity, long maxPixels)
            implements Serializable {
        public Options {
            if (rows < 1 || cols < 1) {
                throw new IllegalArgumentException("image size must be positive, got " + rows + "x" + cols);
            }
            if (polarity == null) {
                throw new IllegalArgumentException("polarity must not be null");
            }
            if (maxPixels < 1 || maxPixels > MAX_MAX_PIXELS) {
                throw new IllegalArgumentException("maxPixels must be 1 to " + MAX_MAX_PIXELS + ", got " + maxPixels);
            }
        }

        /**
         * The options with an explicit polarity and {@link #DEFAULT_MAX_PIXELS}.
         *
         * @param invert the images are dark ink on a light background ({@link Polarity#DARK_ON_LIGHT}); otherwise
         *               {@link Polarity#LIGHT_ON_DARK}
         */
        public Options(int rows, int cols, boolean resize, boolean invert) {
            this(rows, cols, resize, invert ? Polarity.DARK_ON_LIGHT : Polarity.LIGHT_ON_DARK, DEFAULT_MAX_PIXELS);
        }
    }

    /**
     * One decoded image.
     *
     * @param pixels   {@code rows * cols} MNIST bytes of {@link Options}, row-major, unsigned: 0 background, 255 ink
     * @param inverted the grey values were inverted (dark ink on a light background, given or found by
     *                 {@link Polarity#AUTO})
     * @param width    width of the source PNG, pixels (before any resizing)
     * @param height   height of the source PNG, pixels (before any resizing)
     */
    public record Image(byte[] pixels, boolean inverted, int width, int height) {
    }

    /**
     * Bound on a PNG file's length for a given {@code maxPixels}: 9 bytes a pixel (16-bit RGBA stored
     * uncompressed is 8, plus one filter byte a row, which is a byte a pixel for a one-pixel-wide image) plus
     * {@link #FILE_OVERHEAD_BYTES} for zlib and chunk framing and metadata. 160 MiB for {@link #DEFAULT_MAX_PIXELS}.
     */
    public static long maxFileBytes(long maxPixels) {
        return 9 * maxPixels + FILE_OVERHEAD_BYTES;
    }

    /**
     * Reads the PNG in {@code in} (not closed); same as {@link #decode}{@code (...).pixels()}.
     *
     * @param name the file, for messages
     * @return {@code rows * cols} unsigned bytes, row-major
     */
    public static byte[] read(InputStream in, String name, Options options) throws IOException {
        return decode(in, name, options).pixels();
    }

    /**
     * Reads and converts the PNG in {@code in} (not closed). At most {@link #maxFileBytes(long)} + 1 bytes are
     * read, and only 33 when the header already shows the image is refused.
     *
     * @param name the file, for messages
     * @throws InvalidDataException naming {@code name} when the data is not a PNG, its header is malformed or
     *                              declares more than {@code maxPixels} pixels, the file is longer than
     *                              {@link #maxFileBytes(long)}, it cannot be decoded, or it has another size
     *                              and {@code resize} is off
     */
    public static Image decode(InputStream in, String name, Options options) throws IOException {
        byte[] header = in.readNBytes(HEADER_BYTES);
        Header h = header(header, name, options);
        byte[] bytes = readBounded(in, header, name, options.maxPixels());
        checkChunks(bytes, name);
        Pixels source = new Pixels(decodeImage(bytes, name));
        boolean invert = switch (options.polarity()) {
            case LIGHT_ON_DARK -> false;
            case DARK_ON_LIGHT -> true;
            case AUTO -> lightBackground(source, name);
        };
        float[] grey = source.composite(invert ? 255f : 0f);
        if (source.width != options.cols() || source.height != options.rows()) {
            grey = resample(grey, source.height, source.width, options.rows(), options.cols());
        }
        byte[] out = new byte[grey.length];
        for (int i = 0; i < grey.length; i++) {
            int v = Math.round(Math.max(0f, Math.min(255f, grey[i])));
            out[i] = (byte) (invert ? 255 - v : v);
        }
        return new Image(out, invert, h.width(), h.height());
    }

    /** The image size the IHDR chunk declares, pixels. */
    private record Header(int width, int height) {
    }

    /** Checks the signature and IHDR chunk in the first 33 bytes, then the size against the options. */
    private static Header header(byte[] b, String name, Options options) {
        checkSignature(b, name);
        if (b.length < HEADER_BYTES) {
            throw new InvalidDataException(name, "offset " + b.length, "the IHDR chunk in bytes 8 to 32",
                    "the end of the file after " + b.length + " bytes");
        }
        long length = uint32(b, 8);
        if (length != 13) {
            throw new InvalidDataException(name, "offset 8", "the IHDR chunk length 13", Long.toString(length));
        }
        String type = new String(b, 12, 4, StandardCharsets.ISO_8859_1);
        if (!type.equals("IHDR")) {
            throw new InvalidDataException(name, "offset 12", "chunk type IHDR (a PNG's first chunk)", "bytes "
                    + HexFormat.ofDelimiter(" ").formatHex(b, 12, 16));
        }
        long width = uint32(b, 16);
        long height = uint32(b, 20);
        if (width < 1 || width > Integer.MAX_VALUE) {
            throw new InvalidDataException(name, "offset 16", "a width of 1 to 2147483647 pixels", Long.toString(width));
        }
        if (height < 1 || height > Integer.MAX_VALUE) {
            throw new InvalidDataException(name, "offset 20", "a height of 1 to 2147483647 pixels",
                    Long.toString(height));
        }
        int bitDepth = b[24] & 0xFF;
        int colourType = b[25] & 0xFF;
        if (!validDepth(bitDepth, colourType)) {
            throw new InvalidDataException(name, "offset 24", "a bit depth and colour type PNG allows (grey 1, 2, 4, "
                    + "8, 16; palette 1, 2, 4, 8; RGB, grey+alpha, RGBA 8, 16)", "bit depth " + bitDepth
                    + " with colour type " + colourType);
        }
        for (int offset = 26; offset <= 28; offset++) {
            int v = b[offset] & 0xFF;
            if (v > (offset == 28 ? 1 : 0)) {
                String field = offset == 26 ? "compression method 0" : offset == 27 ? "filter method 0"
                        : "interlace method 0 or 1";
                throw new InvalidDataException(name, "offset " + offset, field, Integer.toString(v));
            }
        }
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        if (crc.getValue() != uint32(b, 29)) {
            throw new InvalidDataException(name, "offset 29", String.format(Locale.ROOT, "the IHDR CRC-32 0x%08x",
                    crc.getValue()), String.format(Locale.ROOT, "0x%08x", uint32(b, 29)));
        }
        long pixels = width * height;
        if (pixels > options.maxPixels()) {
            throw new InvalidDataException(name, "offset 16", String.format(Locale.ROOT, "an image of at most %,d "
                            + "pixels (width x height, the limit maxPixels)", options.maxPixels()),
                    String.format(Locale.ROOT, "%dx%d = %,d pixels", width, height, pixels));
        }
        if (width != options.cols() || height != options.rows()) {
            if (!options.resize()) {
                throw new InvalidDataException(name, "file", "a " + options.cols() + "x" + options.rows()
                        + " image (width x height, the model's input size; --resize scales other sizes)",
                        "a " + width + "x" + height + " image");
            }
        }
        return new Header((int) width, (int) height);
    }

    private static boolean validDepth(int bitDepth, int colourType) {
        return switch (colourType) {
            case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
            case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
            case 2, 4, 6 -> bitDepth == 8 || bitDepth == 16;
            default -> false;
        };
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

    /** The whole file: {@code header} then the rest of {@code in}, refused past {@link #maxFileBytes(long)}. */
    private static byte[] readBounded(InputStream in, byte[] header, String name, long maxPixels) throws IOException {
        long max = maxFileBytes(maxPixels);
        byte[] rest = in.readNBytes((int) (max - header.length + 1));
        if (header.length + (long) rest.length > max) {
            throw new InvalidDataException(name, "offset " + max, String.format(Locale.ROOT, "the end of the file "
                    + "(at most %,d bytes: 9 a pixel for maxPixels %,d, plus %,d)", max, maxPixels,
                    FILE_OVERHEAD_BYTES), "more bytes");
        }
        byte[] bytes = new byte[header.length + rest.length];
        System.arraycopy(header, 0, bytes, 0, header.length);
        System.arraycopy(rest, 0, bytes, header.length, rest.length);
        return bytes;
    }

    /** Every chunk after IHDR, up to IEND, must fit in the file as its length field says. */
    private static void checkChunks(byte[] b, String name) {
        int pos = HEADER_BYTES;
        while (pos < b.length) {
            if (b.length - pos < 8) {
                throw truncated(name, "only " + (b.length - pos) + " bytes at offset " + pos
                        + " where a chunk's 8-byte length and type should be");
            }
            long length = uint32(b, pos);
            if (length > b.length - pos - 12L) {
                throw truncated(name, "the chunk at offset " + pos + " declares " + length + " data bytes, "
                        + Math.max(0, b.length - pos - 12) + " remain before its CRC");
            }
            if (new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1).equals("IEND")) {
                return;
            }
            pos += 12 + (int) length;
        }
    }

    private static InvalidDataException truncated(String name, String detail) {
        return new InvalidDataException(name, "file", "a readable PNG image", "a truncated file (" + detail + ")");
    }

    private static BufferedImage decodeImage(byte[] bytes, String name) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
        if (!readers.hasNext()) {
            throw new IllegalStateException("this Java runtime has no PNG image reader");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream stream = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(stream, true, true);
            return reader.read(0);
        } catch (IOException | RuntimeException e) { // decoders throw unchecked exceptions on some corrupt data
            throw new InvalidDataException(name, "file", "a readable PNG image", "undecodable data ("
                    + rootMessage(e) + ")", e);
        } finally {
            reader.dispose();
        }
    }

    /** Whether {@link Polarity#AUTO} finds a light background (dark ink), so inverts: see there. */
    private static boolean lightBackground(Pixels source, String name) {
        int w = source.width;
        int h = source.height;
        int[] histogram = new int[256];
        int opaque = 0;
        int transparent = 0;
        for (int y = 0; y < h; y++) {
            boolean edgeRow = y == 0 || y == h - 1;
            for (int x = 0; x < w; x += edgeRow || x == w - 1 ? 1 : w - 1) {
                if (source.alpha(x, y) >= 0.5f) {
                    histogram[Math.round(Math.max(0f, Math.min(255f, source.grey(x, y))))]++;
                    opaque++;
                } else {
                    transparent++;
                }
            }
        }
        if (opaque >= transparent) {
            int median = 0;
            for (int seen = 0, half = (opaque - 1) / 2; seen + histogram[median] <= half; median++) {
                seen += histogram[median];
            }
            LOG.debug("{}: median grey {} of {} opaque border pixels: {} background", name, median, opaque,
                    median >= 128 ? "light" : "dark");
            return median >= 128;
        }
        double ink = 0;
        double weight = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float a = source.alpha(x, y);
                ink += a * source.grey(x, y);
                weight += a;
            }
        }
        boolean dark = weight > 0 && ink / weight < 128;
        LOG.debug("{}: {} of {} border pixels transparent, mean ink grey {}: {} ink", name, transparent,
                transparent + opaque, weight > 0 ? ink / weight : Double.NaN, dark ? "dark" : "light");
        return dark;
    }

    /**
     * Grey (0-255, before compositing) and alpha (0-1) of each pixel of a decoded image. Grey images are read from
     * their raster, because Java's grey colour space is linear and would change the stored values on the way
     * through {@link BufferedImage#getRGB}; palette (including 1-, 2- and 4-bit grey, which the JDK decodes to a
     * grey palette) and colour images through {@link BufferedImage#getRGB}, as luminance.
     */
    private static final class Pixels {
        final int width;
        final int height;
        private final BufferedImage image;
        private final Raster raster;
        private final boolean greyModel;
        private final boolean hasAlpha;
        private final float maxGrey;
        private final float maxAlpha;

        Pixels(BufferedImage image) {
            this.image = image;
            this.width = image.getWidth();
            this.height = image.getHeight();
            this.raster = image.getRaster();
            ColorModel cm = image.getColorModel();
            this.greyModel = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1
                    && !(cm instanceof IndexColorModel);
            this.hasAlpha = cm.hasAlpha();
            this.maxGrey = greyModel ? (1 << cm.getComponentSize(0)) - 1 : 255;
            this.maxAlpha = greyModel && hasAlpha ? (1 << cm.getComponentSize(1)) - 1 : 255;
        }

        float grey(int x, int y) {
            if (greyModel) {
                return raster.getSample(x, y, 0) * 255f / maxGrey;
            }
            return luminance(image.getRGB(x, y));
        }

        float alpha(int x, int y) {
            if (!hasAlpha) {
                return 1f;
            }
            return greyModel ? raster.getSample(x, y, 1) / maxAlpha : (image.getRGB(x, y) >>> 24) / 255f;
        }

        /** Grey values of every pixel, row-major, transparency composited onto {@code background}. */
        float[] composite(float background) {
            float[] out = new float[width * height];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    float v;
                    float a;
                    if (greyModel) {
                        v = grey(x, y);
                        a = alpha(x, y);
                    } else {
                        int argb = image.getRGB(x, y);
                        v = luminance(argb);
                        a = hasAlpha ? (argb >>> 24) / 255f : 1f;
                    }
                    out[y * width + x] = a * v + (1 - a) * background;
                }
            }
            return out;
        }

        private static float luminance(int argb) {
            return 0.299f * ((argb >> 16) & 0xFF) + 0.587f * ((argb >> 8) & 0xFF) + 0.114f * (argb & 0xFF);
        }
    }

    /**
     * Resamples a {@code h x w} grid to {@code rows x cols}, one axis after the other: area averaging along an axis
     * that shrinks, bilinear interpolation (pixel centres aligned, edges clamped) along one that grows or keeps
     * its size.
     */
    static float[] resample(float[] src, int h, int w, int rows, int cols) {
        Filter horizontal = Filter.of(w, cols);
        Filter vertical = Filter.of(h, rows);
        float[] across = new float[h * cols];
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < cols; c++) {
                double v = 0;
                for (int k = 0; k < horizontal.index[c].length; k++) {
                    v += horizontal.weight[c][k] * src[y * w + horizontal.index[c][k]];
                }
                across[y * cols + c] = (float) v;
            }
        }
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = 0;
                for (int k = 0; k < vertical.index[r].length; k++) {
                    v += vertical.weight[r][k] * across[vertical.index[r][k] * cols + c];
                }
                out[r * cols + c] = (float) v;
            }
        }
        return out;
    }

    /** Output sample i of one axis = sum over k of {@code weight[i][k] * source[index[i][k]]}; weights sum to 1. */
    private record Filter(int[][] index, double[][] weight) {
        static Filter of(int from, int to) {
            int[][] index = new int[to][];
            double[][] weight = new double[to][];
            double scale = (double) from / to;
            for (int i = 0; i < to; i++) {
                if (to < from) {
                    double lo = i * scale;
                    double hi = Math.min(from, (i + 1) * scale);
                    int first = (int) Math.floor(lo);
                    int last = Math.min(from - 1, (int) Math.ceil(hi) - 1);
                    index[i] = new int[last - first + 1];
                    weight[i] = new double[last - first + 1];
                    for (int j = first; j <= last; j++) {
                        index[i][j - first] = j;
                        weight[i][j - first] = (Math.min(hi, j + 1) - Math.max(lo, j)) / (hi - lo);
                    }
                } else {
                    double s = Math.max(0, Math.min(from - 1, (i + 0.5) * scale - 0.5));
                    int j0 = (int) Math.floor(s);
                    int j1 = Math.min(j0 + 1, from - 1);
                    index[i] = new int[] {j0, j1};
                    weight[i] = new double[] {1 - (s - j0), s - j0};
                }
            }
            return new Filter(index, weight);
        }
    }

    private static long uint32(byte[] b, int offset) {
        return ((b[offset] & 0xFFL) << 24) | ((b[offset + 1] & 0xFFL) << 16) | ((b[offset + 2] & 0xFFL) << 8)
                | (b[offset + 3] & 0xFFL);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
