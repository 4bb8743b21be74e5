package dev.simdnet.cli;

import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Turns a picture of a digit into the 28x28 input MNIST's digits were made as: greyscale, ink
 * bright on dark (inverted when the background is light), cropped to the ink, scaled to fit 20x20
 * keeping the aspect ratio, and placed in a 28x28 field with its centre of mass in the middle.
 */
final class DigitImages {

    private DigitImages() {
    }

    /** Reads and prepares an image file; a non-image or a blank image is a {@link UsageException}. */
    static float[] prepare(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new UsageException(file + " is not an image simdnet can read (PNG, JPEG, GIF or BMP)");
        }
        return prepare(img, file.toString());
    }

    static float[] prepare(BufferedImage img, String name) {
        int w = img.getWidth(), h = img.getHeight();
        float[] lum = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                float a = ((argb >>> 24) & 0xFF) / 255f;
                float r = ((argb >> 16) & 0xFF) / 255f, g = ((argb >> 8) & 0xFF) / 255f, b = (argb & 0xFF) / 255f;
                float l = 0.299f * r + 0.587f * g + 0.114f * b;
                lum[y * w + x] = a * l + (1 - a); // transparent parts count as white paper
            }
        }
        // The border tells the background: light paper means dark ink, to be inverted.
        double border = 0;
        int count = 0;
        for (int x = 0; x < w; x++) {
            border += lum[x] + lum[(h - 1) * w + x];
            count += 2;
        }
        for (int y = 0; y < h; y++) {
            border += lum[y * w] + lum[y * w + w - 1];
            count += 2;
        }
        boolean lightBackground = border / count > 0.5;
        float bg = (float) (border / count);
        float[] ink = new float[w * h];
        float max = 0;
        for (int i = 0; i < ink.length; i++) {
            // Ink is the distance from the background's tone, so paper photos lose their grey cast.
            float v = lightBackground ? bg - lum[i] : lum[i] - bg;
            ink[i] = Math.max(0, v);
            max = Math.max(max, ink[i]);
        }
        if (max < 0.15f) {
            throw new UsageException(name + " looks blank: no ink stands out from the background");
        }
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = ink[y * w + x] / max;
                if (v < 0.1f) {
                    ink[y * w + x] = 0; // paper texture and noise
                } else {
                    ink[y * w + x] = v;
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
        BufferedImage crop = new BufferedImage(cw, ch, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                int g = Math.round(255 * ink[(y0 + y) * w + x0 + x]);
                crop.getRaster().setSample(x, y, 0, g);
            }
        }
        // Fit 20x20, keeping the aspect ratio, with area averaging (as MNIST's anti-aliasing).
        double scale = 20.0 / Math.max(cw, ch);
        int sw = Math.max(1, (int) Math.round(cw * scale)), sh = Math.max(1, (int) Math.round(ch * scale));
        Image scaled = crop.getScaledInstance(sw, sh, Image.SCALE_AREA_AVERAGING);
        BufferedImage small = new BufferedImage(sw, sh, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g2 = small.createGraphics();
        g2.drawImage(scaled, 0, 0, null);
        g2.dispose();
        double mass = 0, mx = 0, my = 0;
        float[] s = new float[sw * sh];
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                float v = small.getRaster().getSample(x, y, 0) / 255f;
                s[y * sw + x] = v;
                mass += v;
                mx += v * x;
                my += v * y;
            }
        }
        if (mass == 0) {
            throw new UsageException(name + " looks blank: no ink stands out from the background");
        }
        // Put the centre of mass at the centre of the 28x28 field.
        int ox = (int) Math.round(14 - mx / mass), oy = (int) Math.round(14 - my / mass);
        ox = Math.max(0, Math.min(28 - sw, ox));
        oy = Math.max(0, Math.min(28 - sh, oy));
        float[] out = new float[28 * 28];
        float peak = 0;
        for (float v : s) {
            peak = Math.max(peak, v);
        }
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                out[(oy + y) * 28 + ox + x] = s[y * sw + x] / peak;
            }
        }
        return out;
    }
}
