package dev.simdnet.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Downloads a dataset's files into its cache folder, trying each mirror in order and falling
 * through on any failure: an HTTP error, a timeout or a stall, a reset connection, a short body, a
 * wrong checksum, an HTML page served as {@code .gz}. Transient faults (I/O errors, HTTP 5xx and
 * 429) are retried a bounded number of times first. Each file is downloaded to a temporary file in
 * the cache folder, verified against its published checksum, then renamed into place, so the cache
 * never holds a partial or unverified file; a verified file is recorded beside it
 * ({@code NAME.sha256}) and not fetched again. A lock file makes concurrent downloads of the same
 * dataset, by threads or processes, wait for each other.
 */
public final class Downloader {

    /** Told what the downloader does; every method has an empty default. */
    public interface Listener {
        /** A file is already in the cache, verified. */
        default void cached(String file) {
        }

        /** A download starts; {@code expected} bytes, or -1 if unknown. */
        default void started(String file, URI from, long expected) {
        }

        /** Bytes received so far, of {@code expected} (-1 if unknown), at this rate. */
        default void progress(String file, long bytes, long expected, double bytesPerSecond) {
        }

        /** One attempt failed; the next attempt or mirror follows. */
        default void failed(String file, URI from, String reason) {
        }

        /** A file was downloaded and verified. */
        default void done(String file, long bytes, double seconds) {
        }
    }

    private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
    private static final Object END = new Object();
    private static final long PROGRESS_INTERVAL_NANOS = 200_000_000L;

    private final HttpClient client;
    private final Duration readTimeout;
    private final int retries;
    private final Duration retryDelay;
    private final Listener listener;

    /**
     * @param connectTimeout limit to open a connection
     * @param readTimeout    limit to wait for the response headers, and for each piece of the body
     * @param retries        extra attempts per mirror after a transient fault
     * @param listener       told of progress (may be null)
     */
    public Downloader(Duration connectTimeout, Duration readTimeout, int retries, Duration retryDelay, Listener listener) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.readTimeout = readTimeout;
        this.retries = retries;
        this.retryDelay = retryDelay;
        this.listener = listener != null ? listener : new Listener() { };
    }

    /** The defaults: 10 s to connect, 30 s without data, 2 retries of transient faults. */
    public static Downloader standard(Listener listener) {
        return new Downloader(Duration.ofSeconds(10), Duration.ofSeconds(30), 2, Duration.ofSeconds(1), listener);
    }

    /** True when every file of {@code spec} is in {@code dir}, verified (a cheap size check). */
    public static boolean isCached(Catalogue.DatasetSpec spec, Path dir) {
        for (Catalogue.FileSpec f : spec.files()) {
            if (!isCached(dir, f)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isCached(Path dir, Catalogue.FileSpec f) {
        Path file = dir.resolve(f.name());
        Path record = dir.resolve(f.name() + ".sha256");
        try {
            if (!Files.isRegularFile(file) || !Files.isRegularFile(record)) {
                return false;
            }
            String[] parts = Files.readString(record, StandardCharsets.US_ASCII).trim().split("\\s+");
            return parts.length == 2 && Long.parseLong(parts[0]) == Files.size(file);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /**
     * Makes sure every file of {@code spec} is in {@code dir}, downloading what is missing, and
     * returns {@code dir}. Throws {@link DownloadException} naming every mirror tried and why it
     * failed when a file cannot be had.
     */
    public Path fetch(Catalogue.DatasetSpec spec, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path key = dir.toAbsolutePath().normalize();
        ReentrantLock jvmLock = LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        jvmLock.lock();
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            // With the lock held, any temporary file is what a killed download left: remove it.
            try (java.util.stream.Stream<Path> old = Files.list(dir)) {
                for (Path p : (Iterable<Path>) old::iterator) {
                    String n = p.getFileName().toString();
                    if (n.startsWith(".") && n.endsWith(".part")) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            for (Catalogue.FileSpec f : spec.files()) {
                if (isCached(dir, f)) {
                    listener.cached(f.name());
                } else {
                    fetchFile(spec, dir, f);
                }
            }
            return dir;
        } finally {
            jvmLock.unlock();
        }
    }

    private void fetchFile(Catalogue.DatasetSpec spec, Path dir, Catalogue.FileSpec f) throws IOException {
        List<String> reasons = new ArrayList<>();
        for (URI mirror : spec.mirrors()) {
            URI url = mirror.resolve(f.name());
            for (int attempt = 0; attempt <= retries; attempt++) {
                Path tmp = Files.createTempFile(dir, "." + f.name() + ".", ".part");
                try {
                    long start = System.nanoTime();
                    long bytes = download(url, f, tmp);
                    String sha = verify(f, tmp, bytes);
                    Path target = dir.resolve(f.name());
                    try {
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Path record = Files.createTempFile(dir, "." + f.name() + ".", ".sha256.part");
                    Files.writeString(record, bytes + " " + sha + "\n", StandardCharsets.US_ASCII);
                    Files.move(record, dir.resolve(f.name() + ".sha256"), StandardCopyOption.REPLACE_EXISTING);
                    listener.done(f.name(), bytes, (System.nanoTime() - start) / 1e9);
                    return;
                } catch (Failure e) {
                    listener.failed(f.name(), url, e.getMessage());
                    if (!e.retryable || attempt == retries) {
                        reasons.add(url + ": " + e.getMessage());
                        break;
                    }
                    sleep(retryDelay.toMillis() << attempt);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
        throw new DownloadException("could not download " + f.name() + " from any mirror: "
                + String.join("; ", reasons));
    }

    /** One failed attempt; transient ones are retried on the same mirror. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean retryable;

        Failure(String message, boolean retryable) {
            super(message, null, false, false);
            this.retryable = retryable;
        }
    }

    /** Streams {@code url} into {@code tmp}; returns the byte count. */
    private long download(URI url, Catalogue.FileSpec f, Path tmp) throws Failure, IOException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(readTimeout).GET()
                .header("User-Agent", "simdnet").build();
        LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        int[] status = {0};
        long[] length = {-1};
        Flow.Subscription[] subscription = new Flow.Subscription[1];
        Flow.Subscriber<List<ByteBuffer>> subscriber = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription[0] = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
                queue.add(item);
            }

            @Override
            public void onError(Throwable t) {
                queue.add(t);
            }

            @Override
            public void onComplete() {
                queue.add(END);
            }
        };
        CompletableFuture<HttpResponse<Void>> response = client.sendAsync(request, info -> {
            status[0] = info.statusCode();
            length[0] = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            return HttpResponse.BodySubscribers.fromSubscriber(subscriber);
        });
        long expected = f.size();
        long bytes = 0;
        long start = System.nanoTime();
        long lastReport = 0;
        boolean announced = false;
        long lastData = start;
        try (OutputStream out = Files.newOutputStream(tmp)) {
            while (true) {
                // Short polls, so that a failed connection is noticed at once and a stall after
                // the read timeout.
                Object item = queue.poll(50, TimeUnit.MILLISECONDS);
                if (item == null) {
                    if (response.isCompletedExceptionally()) {
                        item = exceptionOf(response);
                    } else if (System.nanoTime() - lastData > readTimeout.toNanos()) {
                        throw new Failure("stalled: no data for " + readTimeout.toMillis() / 1000.0 + " s"
                                + (bytes > 0 ? " after " + bytes + " bytes" : ""), true);
                    } else {
                        continue;
                    }
                }
                lastData = System.nanoTime();
                if (!announced && status[0] != 0) {
                    if (status[0] != 200) {
                        boolean transientStatus = status[0] >= 500 || status[0] == 429;
                        throw new Failure("HTTP " + status[0], transientStatus);
                    }
                    listener.started(f.name(), url, length[0] >= 0 ? length[0] : expected);
                    announced = true;
                }
                if (item == END) {
                    break;
                }
                if (item instanceof Throwable t) {
                    // A host that does not resolve will not resolve on a retry a second later.
                    boolean unresolved = describe(t).startsWith("host not found");
                    throw new Failure(describe(t) + (bytes > 0 ? " after " + bytes + " bytes" : ""), !unresolved);
                }
                @SuppressWarnings("unchecked")
                List<ByteBuffer> buffers = (List<ByteBuffer>) item;
                for (ByteBuffer b : buffers) {
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.write(chunk);
                    bytes += chunk.length;
                }
                if (expected > 0 && bytes > 2 * expected + (1 << 20)) {
                    throw new Failure("sent more than " + bytes + " bytes for a file of " + expected, false);
                }
                long now = System.nanoTime();
                if (now - lastReport > PROGRESS_INTERVAL_NANOS) {
                    lastReport = now;
                    listener.progress(f.name(), bytes, length[0] >= 0 ? length[0] : expected, bytes / ((now - start) / 1e9));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + url, e);
        } finally {
            if (subscription[0] != null) {
                subscription[0].cancel();
            }
            response.cancel(true);
        }
        if (status[0] != 200) {
            throw new Failure("HTTP " + status[0], status[0] >= 500 || status[0] == 429);
        }
        if (length[0] >= 0 && bytes != length[0]) {
            throw new Failure("short body: " + bytes + " of " + length[0] + " bytes", true);
        }
        listener.progress(f.name(), bytes, length[0] >= 0 ? length[0] : expected,
                bytes / Math.max(1e-9, (System.nanoTime() - start) / 1e9));
        return bytes;
    }

    private static Throwable exceptionOf(CompletableFuture<?> future) {
        try {
            future.join();
            return new IOException("the response ended");
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    private static String describe(Throwable t) {
        if (t instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (t instanceof java.net.ConnectException && t.getCause() == null) {
            return "connection refused or unreachable";
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
                return "host not found (offline?)";
            }
        }
        String m = t.getMessage();
        return (m == null || m.isBlank()) ? t.getClass().getSimpleName() : m;
    }

    /** Checks size, format and checksum; returns the file's SHA-256. */
    private static String verify(Catalogue.FileSpec f, Path file, long bytes) throws Failure, IOException {
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n < 2 || (head[0] & 0xFF) != 0x1f || (head[1] & 0xFF) != 0x8b) {
            String start = new String(head, 0, Math.max(0, n), StandardCharsets.ISO_8859_1).trim().toLowerCase();
            if (start.startsWith("<")) {
                throw new Failure("served an HTML page, not gzip data", false);
            }
            throw new Failure("not gzip data (" + bytes + " bytes)", false);
        }
        String sha = sha256(file, false);
        if (sha.equals(f.sha256()) && bytes == f.size()) {
            return sha;
        }
        String content = "";
        if (f.rawSha256() != null) {
            // A mirror may re-compress the same data: accept it when the content is the original.
            try {
                if (sha256(file, true).equals(f.rawSha256())) {
                    return sha;
                }
                content = " (nor is the uncompressed content the original)";
            } catch (IOException e) {
                content = " (and its gzip data is corrupt)";
            }
        }
        if (bytes != f.size()) {
            throw new Failure("wrong size: " + bytes + " bytes, expected " + f.size() + content, false);
        }
        throw new Failure("wrong checksum: SHA-256 " + sha + ", expected " + f.sha256() + content, false);
    }

    private static String sha256(Path file, boolean gunzip) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = gunzip ? GzipCompressorInputStream.builder().setInputStream(raw).get() : raw) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
