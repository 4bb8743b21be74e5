package dev.simdnet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The downloader against an HTTP server on 127.0.0.1 that misbehaves on request: every failure
 * mode falls through to the next mirror or fails with a message naming each mirror, and leaves no
 * file in the cache.
 */
class DownloaderTest {

    enum Mode { OK, NOT_FOUND, SERVER_ERROR, TRUNCATED, RESET, WRONG_CHECKSUM, HTML, STALL, RECOMPRESSED }

    private HttpServer server;
    private final Map<String, Mode> modes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Map<String, byte[]> content = new ConcurrentHashMap<>();
    private final Map<String, byte[]> recompressed = new ConcurrentHashMap<>();

    @TempDir
    Path cache;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::serve);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private URI mirror(String name) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + name + "/");
    }

    private void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        String mirror = path.split("/")[1];
        String file = path.substring(path.lastIndexOf('/') + 1);
        Mode mode = modes.getOrDefault(mirror, Mode.OK);
        byte[] body = content.get(file);
        try (OutputStream out = ex.getResponseBody()) {
            switch (mode) {
                case NOT_FOUND -> {
                    byte[] page = "<html><body>404 Not Found</body></html>".getBytes();
                    ex.sendResponseHeaders(404, page.length);
                    out.write(page);
                }
                case SERVER_ERROR -> ex.sendResponseHeaders(503, -1);
                case HTML -> {
                    byte[] page = "<!DOCTYPE html><html><body>Please sign in</body></html>".getBytes();
                    ex.sendResponseHeaders(200, page.length);
                    out.write(page);
                }
                case TRUNCATED -> {
                    // Announces the whole length, sends half, closes.
                    ex.sendResponseHeaders(200, body.length);
                    out.write(body, 0, body.length / 2);
                }
                case RESET -> {
                    // Chunked, cut off mid-body without the final chunk.
                    ex.sendResponseHeaders(200, 0);
                    out.write(body, 0, body.length / 3);
                    out.flush();
                    ex.getHttpContext().getServer();
                    throw new IOException("simulated reset");
                }
                case WRONG_CHECKSUM -> {
                    byte[] wrong = body.clone();
                    wrong[wrong.length / 2] ^= 0x55;
                    ex.sendResponseHeaders(200, wrong.length);
                    out.write(wrong);
                }
                case STALL -> {
                    ex.sendResponseHeaders(200, body.length);
                    out.write(body, 0, 100);
                    out.flush();
                    sleep(3000);
                }
                case RECOMPRESSED -> {
                    byte[] other = recompressed.get(file);
                    ex.sendResponseHeaders(200, other.length);
                    out.write(other);
                }
                case OK -> {
                    ex.sendResponseHeaders(200, body.length);
                    out.write(body);
                }
            }
        } catch (IOException e) {
            ex.close();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] gzip(byte[] raw, int level) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes) {
            {
                def.setLevel(level);
            }
        }) {
            gz.write(raw);
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** A dataset of two files served by the given mirrors, whose checksums the test computes. */
    private Catalogue.DatasetSpec spec(URI... mirrors) throws Exception {
        SplittableRandom rng = new SplittableRandom(4);
        List<Catalogue.FileSpec> files = new ArrayList<>();
        for (String name : new String[] {"a-idx1-ubyte.gz", "b-idx3-ubyte.gz"}) {
            byte[] raw = new byte[200_000];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (byte) (rng.nextInt(16) * (i % 7));
            }
            byte[] gz = gzip(raw, 9);
            content.put(name, gz);
            recompressed.put(name, gzip(raw, 1));
            files.add(new Catalogue.FileSpec(name, gz.length, sha256(gz), "-", sha256(raw)));
        }
        return new Catalogue.DatasetSpec("test", List.of(mirrors), files);
    }

    private static class Recorder implements Downloader.Listener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicInteger progress = new AtomicInteger();

        @Override
        public void cached(String file) {
            events.add("cached " + file);
        }

        @Override
        public void started(String file, URI from, long expected) {
            events.add("started " + file + " " + from);
        }

        @Override
        public void progress(String file, long bytes, long expected, double bytesPerSecond) {
            progress.incrementAndGet();
        }

        @Override
        public void failed(String file, URI from, String reason) {
            events.add("failed " + file + " " + from + " " + reason);
        }

        @Override
        public void done(String file, long bytes, double seconds) {
            events.add("done " + file);
        }
    }

    private Downloader downloader(Recorder r) {
        return new Downloader(Duration.ofSeconds(2), Duration.ofMillis(500), 1, Duration.ofMillis(10), r);
    }

    private List<String> cacheFiles() throws IOException {
        try (Stream<Path> s = Files.list(cache)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".lock")).sorted().toList();
        }
    }

    @Test
    void downloadsVerifiesCachesAndDoesNotFetchTwice() throws Exception {
        Catalogue.DatasetSpec spec = spec(mirror("m1"));
        Recorder r = new Recorder();
        downloader(r).fetch(spec, cache);
        assertEquals(List.of("a-idx1-ubyte.gz", "a-idx1-ubyte.gz.sha256", "b-idx3-ubyte.gz", "b-idx3-ubyte.gz.sha256"),
                cacheFiles());
        assertTrue(r.progress.get() >= 2, "progress reported");
        assertTrue(r.events.contains("done a-idx1-ubyte.gz"), r.events.toString());
        assertTrue(Downloader.isCached(spec, cache));
        int before = requests.values().stream().mapToInt(AtomicInteger::get).sum();
        Recorder again = new Recorder();
        downloader(again).fetch(spec, cache);
        assertEquals(before, requests.values().stream().mapToInt(AtomicInteger::get).sum(), "no second request");
        assertEquals(List.of("cached a-idx1-ubyte.gz", "cached b-idx3-ubyte.gz"), again.events);
    }

    @Test
    void removesWhatAKilledDownloadLeft() throws Exception {
        Files.writeString(cache.resolve(".a-idx1-ubyte.gz.12345.part"), "half a file");
        downloader(new Recorder()).fetch(spec(mirror("m1")), cache);
        assertEquals(List.of("a-idx1-ubyte.gz", "a-idx1-ubyte.gz.sha256", "b-idx3-ubyte.gz", "b-idx3-ubyte.gz.sha256"),
                cacheFiles());
    }

    @Test
    void fallsThroughA404ToTheNextMirror() throws Exception {
        modes.put("m1", Mode.NOT_FOUND);
        Recorder r = new Recorder();
        downloader(r).fetch(spec(mirror("m1"), mirror("m2")), cache);
        assertTrue(r.events.stream().anyMatch(e -> e.startsWith("failed a-idx1-ubyte.gz") && e.endsWith("HTTP 404")),
                r.events.toString());
        assertEquals(1, requests.get("/m1/a-idx1-ubyte.gz").get(), "a 404 is not retried");
        assertEquals(4, cacheFiles().size());
    }

    @Test
    void accepsARecompressedCopyOfTheSameContent() throws Exception {
        modes.put("m1", Mode.RECOMPRESSED);
        downloader(new Recorder()).fetch(spec(mirror("m1")), cache);
        assertEquals(4, cacheFiles().size());
    }

    /** Each failure mode alone on the only mirror: a clear message, nothing left in the cache. */
    private void failsCleanly(Mode mode, String expected) throws Exception {
        modes.put("m1", mode);
        modes.put("m2", mode);
        Recorder r = new Recorder();
        long start = System.nanoTime();
        DownloadException e = assertThrows(DownloadException.class,
                () -> downloader(r).fetch(spec(mirror("m1"), mirror("m2")), cache));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(mirror("m1").toString()) && e.getMessage().contains(mirror("m2").toString()),
                "names every mirror: " + e.getMessage());
        assertEquals(List.of(), cacheFiles(), "nothing left in the cache after " + mode);
        assertTrue(seconds < 10, mode + " took " + seconds + " s");
    }

    @Test
    void truncatedBody() throws Exception {
        failsCleanly(Mode.TRUNCATED, "a-idx1-ubyte.gz");
        assertEquals(2, requests.get("/m1/a-idx1-ubyte.gz").get(), "a transient fault is retried once");
    }

    @Test
    void connectionResetMidBody() throws Exception {
        failsCleanly(Mode.RESET, "a-idx1-ubyte.gz");
    }

    @Test
    void wrongChecksum() throws Exception {
        failsCleanly(Mode.WRONG_CHECKSUM, "wrong checksum");
    }

    @Test
    void htmlPageServedAsGzip() throws Exception {
        failsCleanly(Mode.HTML, "served an HTML page");
    }

    @Test
    void serverErrors() throws Exception {
        failsCleanly(Mode.SERVER_ERROR, "HTTP 503");
        assertEquals(2, requests.get("/m2/a-idx1-ubyte.gz").get(), "5xx is retried");
    }

    @Test
    void stalledServerTimesOut() throws Exception {
        // Read timeout 0.5 s, retried once, two mirrors: well under the server's 3 s stall each.
        failsCleanly(Mode.STALL, "stalled: no data for 0.5 s");
    }

    @Test
    void unreachableMirror() throws Exception {
        // A port nothing listens on, then the working server.
        URI dead = URI.create("http://127.0.0.1:1/nothing/");
        Recorder r = new Recorder();
        downloader(r).fetch(spec(dead, mirror("m1")), cache);
        assertTrue(r.events.stream().anyMatch(e -> e.contains("127.0.0.1:1")), r.events.toString());
        assertEquals(4, cacheFiles().size());
    }

    @Test
    void concurrentDownloadsOfOneDatasetFetchEachFileOnce() throws Exception {
        Catalogue.DatasetSpec spec = spec(mirror("m1"));
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                try {
                    downloader(new Recorder()).fetch(spec, cache);
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), errors);
        assertEquals(1, requests.get("/m1/a-idx1-ubyte.gz").get());
        assertEquals(1, requests.get("/m1/b-idx3-ubyte.gz").get());
        assertTrue(Downloader.isCached(spec, cache));
    }

    /** The real Fashion-MNIST files (Debian's re-compressed copy), where CI provides them. */
    @Test
    void realFashionMnistThroughTheRealCatalogue() throws Exception {
        String env = System.getenv("SIMDNET_TEST_DATA");
        assumeTrue(env != null && Files.isDirectory(Paths.get(env, "fashion-mnist")),
                "SIMDNET_TEST_DATA is not set: skipping the real Fashion-MNIST download");
        for (Catalogue.FileSpec f : Catalogue.FASHION_MNIST.files()) {
            content.put(f.name(), Files.readAllBytes(Paths.get(env, "fashion-mnist", f.name())));
        }
        Path dir = cache.resolve("fashion-mnist");
        downloader(new Recorder()).fetch(Catalogue.FASHION_MNIST.withMirrors(List.of(mirror("m1"))), dir);
        TrainTest data = MnistFormat.load("fashion-mnist", dir);
        assertEquals(60000, data.train().size());
        assertEquals(10000, data.test().size());
    }
}
