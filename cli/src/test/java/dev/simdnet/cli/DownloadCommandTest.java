package dev.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code simdnet download} against an HTTP server on 127.0.0.1. */
class DownloadCommandTest {

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private Path servedFrom;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            String file = ex.getRequestURI().getPath().substring(1);
            Path p = servedFrom == null ? null : servedFrom.resolve(file);
            try (OutputStream out = ex.getResponseBody()) {
                if (p == null || !Files.isRegularFile(p)) {
                    byte[] page = "<html>not here</html>".getBytes();
                    ex.sendResponseHeaders(200, page.length); // a captive portal's answer
                    out.write(page);
                } else {
                    byte[] body = Files.readAllBytes(p);
                    ex.sendResponseHeaders(200, body.length);
                    out.write(body);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Test
    void downloadsTheRealFashionMnistAndThenUsesTheCache() throws IOException {
        String env = System.getenv("SIMDNET_TEST_DATA");
        assumeTrue(env != null && Files.isDirectory(Paths.get(env, "fashion-mnist")),
                "SIMDNET_TEST_DATA is not set: skipping the download of the real Fashion-MNIST");
        servedFrom = Paths.get(env, "fashion-mnist");
        CliTest.Result r = CliTest.run("download", "--dataset", "fashion-mnist", "--dir", dir.toString(), "--mirror", url());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("checksum verified"), r.out());
        assertTrue(r.out().contains("fashion-mnist is ready in"), r.out());
        int served = requests.get();
        assertEquals(4, served);
        CliTest.Result again = CliTest.run("download", "--dataset", "fashion-mnist", "--dir", dir.toString(), "--mirror", url());
        assertEquals(0, again.status());
        assertEquals(served, requests.get(), "nothing fetched twice");
        assertEquals(4, again.out().lines().filter(l -> l.contains("already downloaded and verified")).count(), again.out());
    }

    @Test
    void everyMirrorFailingExitsOneAndCachesNothing() throws IOException {
        CliTest.Result r = CliTest.run("download", "--dir", dir.toString(), "--mirror", url(), "--mirror",
                "http://127.0.0.1:1/");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("could not download train-images-idx3-ubyte.gz from any mirror"), r.err());
        assertTrue(r.err().contains("served an HTML page") && r.err().contains("127.0.0.1:1"), r.err());
        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(0, files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals(".lock")).count());
        }
    }

    @Test
    void badOptionsAreBadInput() {
        CliTest.Result r = CliTest.run("download", "--mirror", "ftp://example.org/mnist/");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("must be an http:// or https:// URL"), r.err());
        r = CliTest.run("download", "--dataset", "sample");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("bundled"), r.err());
        r = CliTest.run("download", "--dataset", "imagenet");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("unknown dataset 'imagenet'"), r.err());
    }
}
