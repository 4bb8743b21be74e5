package dev.simdnet.core;

import dev.simdnet.core.kernels.Kernels;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.LongSupplier;

/**
 * Stochastic gradient descent with backpropagation, one minibatch at a time, as in the lecture:
 * {@link #sgd} runs the epochs, {@link #updateMiniBatch} takes one step downhill, and
 * {@link #backprop} computes how every example of the minibatch would like to nudge every weight
 * and bias.
 *
 * <p>Every buffer is allocated once, for the largest minibatch: in the constructor, or at the first
 * step that needs it (momentum's velocity, the floats of a minibatch of bytes). A training step
 * allocates nothing. Activations are kept row-major, one example per row, so a minibatch of 100
 * 784-pixel images is 314 KB and stays in L2 through the forward and backward passes.
 *
 * <p>While it trains, the trainer keeps its own copy of the weights, each layer's W transposed
 * ({@code WT}, one row per input, one column per neuron) in panels of {@link #PANEL} columns. Then
 * the forward pass ({@code Z = A * WT + b}) and the weight gradient ({@code dWT = A^T * dZ}) are
 * both products whose vectors run along the neurons, with nothing packed per step, and the
 * gradient of each block of weights goes straight from the registers into that block's step of
 * SGD. Only {@code dA = dZ * W}, for layers after the first, wants W itself: the trainer keeps a
 * copy of it ({@link #canonical}), each block of weights transposing itself into it right after
 * its step, while it is still in the core's cache (see {@link #canonicalCurrent}). A first layer
 * exactly one vector wide (the lecture network's 16 neurons, where the kernels have AVX-512's
 * registers) is kept in the kernels' paired layout instead, with the minibatch's inputs in pairs
 * (see {@link #paired}). The network's parameters are brought up to date whenever anyone asks for
 * them ({@link Network#parameters()}, saving, inference), and read back before the next step, so
 * the copies are invisible to callers.
 *
 * <p>With several threads, each pass is cut into tasks by blocks of examples, neurons and inputs.
 * No task splits a sum: where the cut depends on the number of threads (the pieces of a layer cut
 * by whole panels, see {@link #wholeTasks}), it only moves the edges between examples, inputs or
 * neurons whose results do not depend on each other. In a network as small as the lecture's, the
 * first layer is cut by fixed blocks of inputs, whose partial sums are added in block order, and
 * the rest by fixed parts of the examples (see {@link #MIN_PARALLEL_STEP}). Every result element
 * is a sum in a fixed order that does not depend on the number of threads. So the same seed gives
 * the same weights, bit for bit, on any number of threads. A trainer is itself used from one thread at a
 * time; close it to stop its worker threads.
 */
public final class Trainer implements AutoCloseable {

    /** Examples per task block: a multiple of the kernels' 8-row register tiles. */
    private static final int ROW_BLOCK = 48;
    /**
     * Columns (neurons) per panel of WT: each panel is its own row-major (in, 48) matrix, so that a
     * tile of the kernels walks down contiguous memory, which the hardware prefetches (walking down
     * a column of a 800-wide WT crosses a 4 KB page every row, and the product waited on memory:
     * 784x800, JDK 17, 512 bits, median of 400: forward 83 -> 94 GFLOP/s, fused step 64 -> 80).
     * 48 is 3 vectors at 512 bits, 6 at 256, 12 at 128: whole register tiles at every width.
     */
    static final int PANEL = 48;
    /** Neurons per task block of a layer narrower than {@link #WHOLE_PANELS} panels: two panels. */
    private static final int NEURON_BLOCK = 2 * PANEL;
    /**
     * From this many panels on, a layer's forward pass and weight step are cut by panels alone:
     * each task runs one whole panel, over all the minibatch's examples (forward) or all the
     * layer's inputs (weight step), as one thread would; the panels that do not share out evenly
     * among the threads are cut into a piece for each (see wholeTasks). A layer of one panel (an
     * output layer) is cut into blocks of {@link #NEURON_BLOCK} neurons by {@link #ROW_BLOCK}
     * examples or {@link #INPUT_BLOCK} inputs, so that two threads have enough tasks to share. No
     * sum is split either way, so the cut changes no bit. W3 (17 panels), two threads, against
     * those blocks (AbTrainSteps): 0.969, 0.983 and 0.997 of the step's time; one thread 0.987.
     * W4 (22 panels): 1.003 on two threads, 1.008 on one. This was 8 panels until session 16: W2's
     * first layer, 128 neurons in 3 panels, was cut into blocks of 96 and 32 neurons by 48, 48 and
     * 4 examples, tasks so unequal that the forward pass's two threads had 9,600 and 3,200 of its
     * 12,800 products (rows x neurons) to start with; cut whole, each has a panel and half the
     * third. W2, AbTrainSteps, both orders, 40 rounds of 100 steps, JDK 25: 0.905 and 0.904 of the
     * step's time on two threads, 0.994 and 0.991 on one. At 1, which cuts W2's output layer whole
     * too: 0.923 and 0.957 on two threads, so one panel is not enough.
     */
    private static final int WHOLE_PANELS = 2;
    /**
     * From this many panels of inputs and of neurons on, a layer's input gradient is summed in
     * three parts, each by the thread that wrote its rows of W (see {@link #grouped}). Measured on
     * W4's 1024x1024 layer only.
     */
    private static final int GROUPED_PANELS = 8;
    /** Inputs (rows of WT) per task block of the weight step and the input gradient. */
    private static final int INPUT_BLOCK = 96;
    /** Below this many multiply-adds a pass runs as one task: waking threads would cost more. */
    private static final long MIN_PARALLEL_WORK = 1 << 16;
    /**
     * Below this many multiply-adds in a minibatch's forward pass, the passes of a step are not
     * shared by blocks of examples and neurons: the lecture's network (1.3 million) took 1.6x
     * longer a step on two threads than on one so (a step of about 100 us in a few jobs of 15-30
     * us, and each core then reads half its data from the other's cache). Its first layer is cut
     * by blocks of inputs instead ({@link #firstLayerTask}), and the rest by parts of the
     * examples (see {@link #smallBackprop}). 784-128-10 (10 million) and larger are shared by
     * examples and neurons.
     */
    static final long MIN_PARALLEL_STEP = 1 << 22;
    /** Floats after the last row of each activation buffer: one 512-bit vector. */
    private static final int SLACK = 16;
    /**
     * Inputs per block of the first layer in a step too small to share by blocks of neurons and
     * examples (see {@link #firstLayerTask}): 784 pixels make two blocks, 400 and 384.
     */
    static final int FIRST_BLOCK = 400;
    /**
     * Floats between two blocks' memory (converted inputs, partial sums): a page, so that the
     * hardware's prefetch for one core's block does not pull in lines the other core is writing.
     * Two threads with each block's columns side by side in shared rows were 1.17-1.35x faster
     * than one on the lecture network's first layer; with the blocks apart, 1.44-1.62x (bench
     * {@code W1Split}, JDK 25).
     */
    private static final int BLOCK_GAP = 1024;
    /**
     * Parts of the examples in a small step's rows job (see {@link #rowsTask}): fixed, whatever the
     * number of threads, so that the cost's sum is too.
     */
    private static final int ROW_PARTS = 2;
    /** Positions of the shuffle per call (see {@link #shuffle}). */
    private static final int SHUFFLE_RUN = 256;
    /**
     * The JIT's work so far in ms, or null where it cannot be had (see {@link JitWatch}): its
     * compiler threads' time on a CPU ({@link CompilerCpu}), else the JVM's total compilation
     * time.
     */
    private static final LongSupplier COMPILED_MS = compiledMs();

    private final Network net;
    private final Kernels k;
    private final int maxBatch;

    /**
     * ld[i]: the distance between two examples' rows in layer i's buffers (0: the input's). Wide
     * layers whose rows are a multiple of 128 floats get 16 more, so that walking down a column
     * does not hit the same few cache sets again and again (a 4 KB stride would).
     */
    private final int[] ld;
    /**
     * The minibatch's inputs are read where they are: example r of the step is row inputRows[r]
     * (an offset) of inputPixels, the dataset's own array. Copying 100 rows of 784 pixels from
     * all over a 188 MB dataset took a quarter of the lecture network's step; read in place, they
     * stream in while the first layer's forward pass works on them.
     */
    private final int[] inputRows;
    private float[] inputPixels;
    /** Where example r of the minibatch is in the dataset: its first pixel's index. */
    private final int[] sourceRows;
    /**
     * The number of blocks of {@link #FIRST_BLOCK} inputs the first layer of this minibatch is
     * cut into: 1 where its passes are shared by neurons and examples ({@link #passParallel}).
     */
    private int firstBlocks;
    /** firstOff[b]: where block b's first input is in a row of inputPixels (b * FIRST_BLOCK in place). */
    private final int[] firstOff;
    /**
     * The first layer's weighted inputs, summed over each block of inputs alone, block b's at
     * b * {@link #partialStride}; allocated when first needed.
     */
    private float[] partial;
    private final int partialStride;
    /** Zeros, as the biases of the first layer's blocks after the first. */
    private final float[] zeros;
    /** Floats between two blocks of the converted input, {@link #input}. */
    private final int panelStride;
    /** The bytes the first layer's blocks convert for themselves, or null (see {@link #gather}). */
    private byte[] convertBytes;
    /** The floats the first layer's blocks copy into pairs for themselves, or null (paired only). */
    private float[] convertFloats;
    /**
     * Whether the first layer is in the kernels' paired layout ({@link Kernels#pairedForward}): its
     * weights in {@link #work} as WP, the minibatch's inputs in {@link #pairInput}, and its passes
     * always cut into the blocks of {@link #firstLayerTask}. Each 64-bit broadcast then carries two
     * inputs to two FMAs: the lecture network's first layer took 0.73-0.87 of the time of the
     * transposed 16-row tiles for its forward pass and 0.76-0.78 for its weight step (harness,
     * JDK 25, 512 bits).
     */
    final boolean paired;
    /**
     * The minibatch's inputs in pairs, block b's matrix (rows, pairLd) from b * pairStride; lazily.
     * pairLd is the kernels' choice for a block's pairs ({@link Kernels#pairedLeadingDimension}).
     */
    private double[] pairInput;
    private final int pairLd;
    private final int pairStride;
    /** The first layer's nudges in pairs (DZP of {@link Kernels}), for its weight step; paired only. */
    private final float[] nudgePairs;
    /** Whether this minibatch's first layer runs on the caller alone ({@link #jitBusy}). */
    private boolean firstAlone;
    /**
     * Whether {@link #jitBusy} may keep the first layer on the caller: where the threads take
     * every core, so that the compiler's thread has none of its own. Tests turn it off.
     */
    boolean yieldToJit;
    private final JitWatch jit = new JitWatch(System.nanoTime());
    /**
     * For a dataset of bytes ({@link Dataset#ofBytes}): the minibatch's examples as floats, made
     * from the bytes at the start of the step (a quarter of the memory traffic of floats read in
     * place). Allocated when first needed.
     */
    private float[] input;
    /**
     * On more than one thread, for a step cut into tasks (one block of inputs): each thread's own
     * floats of the minibatch, {@link #input}'s layout, which the thread converts from the bytes
     * the first time it needs them in a step ({@link #inputFor}). Every thread reads every row
     * (a task takes a panel of neurons over all the examples), so rows converted by one thread
     * into one buffer were read by both cores, and the next step's conversion had to take each
     * line back from the other core before writing it: W2 on two threads spent 38 us of thread
     * time a step converting, against 9 on one (StepProfile, JDK 25). Each thread converting all
     * of it for itself, against the one buffer, AbTrainSteps, two threads, both orders, JDK 25:
     * W2 0.830 and 0.937 of the step's time, W3 0.948 and 0.991, W4 0.994 and 1.000. Allocated
     * when first needed.
     */
    private float[][] threadInput;
    /** threadStep[i * 16]: the step whose rows thread i last converted; read and written by it alone. */
    private int[] threadStep;
    /** The current step, for threadStep; the dataset's bytes and rows it converts. */
    private int passStep;
    private byte[] threadBytes;
    /**
     * The distance between two examples' rows in {@link #input}: the kernels' choice
     * ({@link Kernels#leadingDimension}). For 784 pixels the vector kernels take 1040, which made
     * the lecture network's step 1-7% faster (AbTrainSteps, nine runs, JDK 17 and 25).
     */
    private final int inputLd;
    private final int[] batchLabels;
    /** activations[l]: weight layer l's outputs, (maxBatch, sizes[l+1]), leading dimension ld[l+1]. */
    private final float[][] activations;
    /** nudges[l]: the cost's gradient with respect to layer l's weighted inputs z, same shape. */
    private final float[][] nudges;

    /**
     * The weights and biases while training, at the network's own offsets: layer l's WT (in, out)
     * where its W is, in panels of {@link #PANEL} columns (the last one narrower), each stored
     * row-major, one after the other; then its biases. See {@link #at}.
     */
    private final float[] work;
    /**
     * W (out, in) of every layer after the first, at {@link #canonicalOff}, for
     * {@code dA = dZ * W}, in panels of {@link #PANEL} columns (inputs) like WT's.
     */
    private final float[] canonical;
    /**
     * The second and third parts of a {@link #grouped} layer's input gradient, (maxBatch, ld[l])
     * like its nudges, which take the first; null when no layer is grouped.
     */
    private final float[] secondPart;
    private final float[] thirdPart;
    /** The gradient of the summed minibatch cost in work's layout, for {@link #computeGradient}. */
    private final float[] workGradient;
    /** The same in the network's layout: what {@link #gradient()} returns. */
    private final float[] gradient;
    /** Momentum's running average of the gradient, in work's layout; allocated when first needed. */
    private float[] velocity;

    private final WorkerPool pool;
    /** The forward pass's multiply-adds for one example: the sum of in * out over the layers. */
    private final long forwardWorkPerExample;
    /** Whether this minibatch's passes may be cut into tasks (see {@link #MIN_PARALLEL_STEP}). */
    private boolean passParallel;

    // The current pass, read by the jobs below: which layer, how many examples, the step's rates.
    private int passLayer;
    private int passRows;
    private int passTasksA;
    /** When explaining one example: where to keep each layer's dC/da before f' turns it into dC/dz. */
    private float[][] keepActivationGrads;
    private boolean passUpdate;
    private boolean passSplit;
    /** Whether this pass's input gradient is summed by the jobs of {@link #partTask} and {@link #sumTask}. */
    private boolean passGroupedB;
    /**
     * Whether {@link #canonical} holds every later layer's current W (from {@link #canonicalOff}
     * on): then the backward pass reads it as it is. A step of {@link #backprop} keeps it so, each
     * block of weights writing its W into it right after its step (see backwardTask); weights
     * read from the network, or stepped by {@link #smallBackprop}, leave it stale. Until session
     * 16, W was transposed back from WT before each dA, reading all of WT again from L3: W4's
     * 1024x1024 layer spent 1.1-1.2 ms of a step of 11.9 on one thread doing so, and 0.7-0.8 ms
     * writing the copy from its weight step instead. AbTrainSteps, W4, against the build before,
     * both orders, 60 rounds of 20 steps: 0.987 and 0.978 of the step's time on one thread, 0.915
     * and 0.962 on two. The small step (the lecture network's) transposes its tiny layers each
     * step as before.
     */
    private boolean canonicalCurrent;
    /** Whether this pass's W in {@link #canonical} is current (no transposition before dA). */
    private boolean passCanonicalCurrent;
    private float passLr;
    private float passMomentum;
    private float passWeightDecay;
    private float passScale;

    // Created once, so that running them allocates nothing.
    private final WorkerPool.Job forwardJob = this::forwardTask;
    private final WorkerPool.Job backwardJob = this::backwardTask;
    private final WorkerPool.Job transposeJob = this::transposeTask;
    private final WorkerPool.Job partJob = this::partTask;
    private final WorkerPool.Job sumJob = this::sumTask;
    private final WorkerPool.Job convertJob = this::convertTask;
    private final WorkerPool.Job firstLayerJob = this::firstLayerTask;
    private final WorkerPool.Job rowsJob = this::rowsTask;
    private final WorkerPool.Job smallStepJob = this::smallStepTask;
    private final WorkerPool.Job smallJob = this::smallTask;
    /**
     * The items of {@link #smallTask}, a cache line each: at {@code i * 16} the round that last
     * claimed item i, at {@code i * 16 + 1} the round it was last done in.
     */
    private final AtomicIntegerArray itemFlags;
    /** The current {@link #smallTask}'s round: never 0, which the flags start at. */
    private int passRound;
    /** Whether a small step's rows job goes on from the forward pass to the nudges (see rowsTask). */
    private boolean passBackward;
    /** Each part of the examples' summed cost in a small step (see rowsTask). */
    private final double[] costParts = new double[ROW_PARTS];
    /** Where layer l's W is in {@link #canonical}. */
    private final int[] canonicalOff;
    private byte[] passBytes;
    /**
     * The examples the next minibatch will most likely take (the next {@code passNextCount} of
     * passOrder from passNext, as train's loop goes), whose bytes {@link #touchNext} pulls into
     * the cache during this step's first-layer weight step: shuffled examples are all over the
     * dataset, and converting rows that had to come from memory took about a quarter of the
     * lecture network's step. A wrong guess costs a few loads and changes nothing else. Set for a
     * training step only.
     */
    private int[] passOrder;
    private int passNext;
    private int passNextCount;
    private int passExamples;
    /** Never written in practice: it makes the sum of the touched bytes, and so their loads, count. */
    private int touched;

    /** A single-threaded trainer. */
    public Trainer(Network net, int maxBatch, Kernels kernels) {
        this(net, maxBatch, kernels, 1);
    }

    /** A trainer whose passes run on {@code threads} threads (the caller's and threads - 1 more). */
    public Trainer(Network net, int maxBatch, Kernels kernels, int threads) {
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + maxBatch);
        }
        this.net = net;
        this.k = kernels;
        this.maxBatch = maxBatch;
        int layers = net.layers();
        this.ld = new int[layers + 1];
        for (int i = 0; i <= layers; i++) {
            // The output's rows stay contiguous: the cost and softmax kernels take them so.
            ld[i] = i == layers ? net.size(i) : padded(net.size(i));
        }
        this.inputRows = new int[maxBatch];
        this.sourceRows = new int[maxBatch];
        this.inputLd = Math.max(net.inputSize(), kernels.leadingDimension(net.inputSize()));
        this.panelStride = Math.addExact(Math.multiplyExact(maxBatch, inputLd), BLOCK_GAP);
        this.firstOff = new int[blocks(net.inputSize(), FIRST_BLOCK)];
        // smallTask's items (see layerItem): blocks, transpositions, parts, blocks' weight steps,
        // the later layers' weight steps.
        this.itemFlags = new AtomicIntegerArray((2 * firstOff.length + 1 + ROW_PARTS + net.layers() - 1) * 16);
        this.partialStride = Math.addExact(Math.multiplyExact(maxBatch, ld[1]), BLOCK_GAP);
        this.zeros = new float[net.size(1) + SLACK];
        this.paired = kernels.pairedWidth() > 0 && net.size(1) == kernels.pairedWidth() && net.inputSize() % 2 == 0
                && ld[1] == net.size(1);
        this.pairLd = kernels.pairedLeadingDimension(Math.min(FIRST_BLOCK, net.inputSize()) / 2);
        this.pairStride = Math.addExact(Math.multiplyExact(maxBatch, pairLd), BLOCK_GAP / 2);
        this.nudgePairs = paired ? new float[Math.multiplyExact(2 * maxBatch, net.size(1))] : null;
        this.batchLabels = new int[maxBatch];
        this.activations = new float[layers][];
        this.nudges = new float[layers][];
        for (int l = 0; l < layers; l++) {
            // SLACK floats more, never written: the kernels may read a last partial vector of a
            // row past its end (into the next row, or these) instead of copying it padded.
            activations[l] = new float[Math.addExact(Math.multiplyExact(maxBatch, ld[l + 1]), SLACK)];
            nudges[l] = new float[activations[l].length];
        }
        int widest = 0;
        this.canonicalOff = new int[layers];
        int small = 0;
        for (int l = 1; l < layers; l++) {
            widest = Math.max(widest, net.size(l) * net.size(l + 1));
            canonicalOff[l] = small;
            small = Math.addExact(small, net.size(l) * net.size(l + 1));
        }
        widest = Math.max(widest, small);
        this.work = new float[net.parameterCount()];
        // SLACK more: the input gradient's tiles may read a last partial vector of a piece of
        // W's columns past the panel's end (see backwardTask) instead of copying it padded.
        this.canonical = new float[widest + SLACK];
        int parts = 0;
        for (int l = 1; l < layers; l++) {
            if (grouped(l)) {
                parts = Math.max(parts, Math.multiplyExact(maxBatch, ld[l]));
            }
        }
        this.secondPart = parts > 0 ? new float[parts] : null;
        this.thirdPart = parts > 0 ? new float[parts] : null;
        this.workGradient = new float[work.length];
        this.gradient = new float[net.parameterCount()];
        this.pool = new WorkerPool(threads);
        this.yieldToJit = threads >= Runtime.getRuntime().availableProcessors();
        long work = 0;
        for (int l = 0; l < layers; l++) {
            work += (long) net.size(l) * net.size(l + 1);
        }
        this.forwardWorkPerExample = work;
    }

    /**
     * The compiler threads' CPU time where Linux gives it, which grows while a compilation is
     * under way; the JVM's compilation time grows only when one finishes, so a compilation of
     * 50-190 ms (the trainer's own methods, in the lecture network's first ten epochs) went
     * unseen while it ran, the step shared between two threads on a core fewer. W1, 10 epochs,
     * two threads, twelve runs alternating with the build before: medians of epochs 2-10 0.050-
     * 0.086 s (median of the runs 0.071) against 0.068-0.119 s (0.085); one thread 0.070.
     */
    private static LongSupplier compiledMs() {
        CompilerCpu cpu = CompilerCpu.open();
        if (cpu != null) {
            return cpu;
        }
        try {
            CompilationMXBean b = ManagementFactory.getCompilationMXBean();
            return b != null && b.isCompilationTimeMonitoringSupported() ? b::getTotalCompilationTime : null;
        } catch (LinkageError | RuntimeException e) {
            return null; // java.management missing from a trimmed runtime
        }
    }

    private static int padded(int n) {
        return n >= 128 && n % 128 == 0 ? n + 16 : n;
    }

    /** The number of threads this trainer's passes run on. */
    public int threads() {
        return pool.threads();
    }

    /** Writes the weights back to the network and stops the worker threads; do not use it afterwards. */
    @Override
    public void close() {
        if (net.holder() == this) {
            net.release();
        }
        pool.close();
    }

    /** Makes the working copy current: reads the network's parameters unless this trainer holds them. */
    private void acquire() {
        if (net.holder() != this) {
            net.release();
            canonicalCurrent = false;
            float[] p = net.rawParameters();
            for (int l = 0; l < net.layers(); l++) {
                int in = net.size(l), out = net.size(l + 1), wOff = net.weightOffset(l);
                for (int j = 0; j < out; j++) {
                    for (int kk = 0; kk < in; kk++) {
                        work[at(l, kk, j)] = p[wOff + j * in + kk];
                    }
                }
                System.arraycopy(p, net.biasOffset(l), work, net.biasOffset(l), out);
            }
            net.hold(this);
        }
    }

    /** Copies the working weights back into the network's layout (called by the network). */
    void writeBack() {
        toNetworkLayout(work, net.rawParameters());
    }

    private void toNetworkLayout(float[] src, float[] dst) {
        for (int l = 0; l < net.layers(); l++) {
            int in = net.size(l), out = net.size(l + 1), wOff = net.weightOffset(l);
            for (int j = 0; j < out; j++) {
                int row = wOff + j * in;
                for (int kk = 0; kk < in; kk++) {
                    dst[row + kk] = src[at(l, kk, j)];
                }
            }
            System.arraycopy(src, net.biasOffset(l), dst, net.biasOffset(l), out);
        }
    }

    /**
     * Where WT[k][j] of layer l is in work: in panel j / PANEL, row k, column j % PANEL; for a
     * paired first layer, in WP (see {@link Kernels}).
     */
    private int at(int l, int k, int j) {
        if (l == 0 && paired) {
            return net.weightOffset(0) + 2 * ((k >> 1) * net.size(1) + j) + (k & 1);
        }
        int p0 = j - j % PANEL;
        return panel(l, p0) + k * panelWidth(l, p0) + (j - p0);
    }

    /** The start of layer l's panel of columns [p0, p0 + PANEL): all panels before it are full. */
    private int panel(int l, int p0) {
        return net.weightOffset(l) + p0 * net.size(l);
    }

    private int panelWidth(int l, int p0) {
        return Math.min(PANEL, net.size(l + 1) - p0);
    }

    /**
     * Trains for {@code config.epochs()} epochs, telling {@code listener} (may be null) after each,
     * and returns every epoch's statistics. {@code test} may be null.
     */
    public List<EpochStats> sgd(Dataset train, Dataset test, TrainingConfig config, EpochListener listener) {
        checkFits(train);
        if (test != null) {
            checkFits(test);
        }
        if (config.batchSize() > maxBatch) {
            throw new IllegalArgumentException("batch size " + config.batchSize()
                    + " exceeds this trainer's buffers (" + maxBatch + ")");
        }
        int n = train.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom shuffler = new SplittableRandom(config.seed());
        List<EpochStats> history = new ArrayList<>(config.epochs());
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            if (config.shuffle()) {
                shuffle(order, shuffler);
            }
            long start = System.nanoTime();
            double cost = 0;
            int minibatch = 0;
            for (int from = 0; from < n; from += config.batchSize()) {
                int count = Math.min(config.batchSize(), n - from);
                double c = updateMiniBatch(train, order, from, count, config);
                if (!Double.isFinite(c)) {
                    throw new TrainingDivergedException(epoch, minibatch + 1, config.learningRate());
                }
                cost += c;
                minibatch++;
                if (listener != null) {
                    listener.minibatchDone(epoch, from + count, n, cost / (from + count));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double accuracy = test == null ? Double.NaN : accuracy(test);
            EpochStats stats = new EpochStats(epoch, seconds, n / seconds, cost / n, accuracy);
            history.add(stats);
            if (listener != null) {
                listener.epochDone(stats);
            }
        }
        return history;
    }

    /**
     * Fisher-Yates, driven by the seeded stream so that the same seed gives the same order. In runs
     * of {@link #SHUFFLE_RUN} positions, a call each: a loop in a method called once an epoch is
     * compiled only by on-stack replacement, which the launcher turns off, and 60,000 positions
     * took 2.8 ms an epoch uncompiled against 0.5 ms compiled (JDK 25).
     */
    private static void shuffle(int[] order, SplittableRandom rng) {
        for (int hi = order.length - 1; hi > 0; hi -= SHUFFLE_RUN) {
            shuffleDown(order, rng, hi, Math.max(0, hi - SHUFFLE_RUN));
        }
    }

    /** Positions hi down to lo + 1 of {@link #shuffle}. */
    private static void shuffleDown(int[] order, SplittableRandom rng, int hi, int lo) {
        for (int i = hi; i > lo; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /**
     * One step of plain gradient descent on the minibatch {@code order[from .. from+count)}:
     * gathers the examples, backpropagates, and moves every parameter by {@code -learningRate}
     * times the gradient averaged over the minibatch. Returns the minibatch's summed cost (before
     * the step).
     */
    public double updateMiniBatch(Dataset data, int[] order, int from, int count, float learningRate) {
        return step(data, order, from, count, learningRate, 0f, 0f);
    }

    /**
     * {@link #updateMiniBatch(Dataset, int[], int, int, float)} with the momentum and weight decay
     * of {@code config}, applied in one pass per layer over the flat arrays (weight decay to the
     * weights only).
     */
    public double updateMiniBatch(Dataset data, int[] order, int from, int count, TrainingConfig config) {
        return step(data, order, from, count, config.learningRate(), config.momentum(), config.weightDecay());
    }

    private double step(Dataset data, int[] order, int from, int count, float lr, float momentum, float weightDecay) {
        acquire();
        gather(data, order, from, count);
        if (momentum != 0f && velocity == null) {
            velocity = new float[work.length];
        }
        passLr = lr;
        passMomentum = momentum;
        passWeightDecay = weightDecay;
        passScale = 1f / count;
        byte[] bytes = data.bytePixels();
        if (bytes != null) {
            passBytes = bytes;
            passOrder = order;
            passNext = from + count;
            passExamples = data.size();
            passNextCount = Math.max(0, Math.min(count, (order == null ? data.size() : order.length) - passNext));
        }
        try {
            return backprop(count, true);
        } finally {
            passBytes = null;
            passOrder = null;
            passNextCount = 0;
        }
    }

    /**
     * Points the minibatch at examples {@code order[from .. from + count)} (or
     * {@code from .. from + count} without an order): their labels, and where their pixels are.
     */
    private void gather(Dataset data, int[] order, int from, int count) {
        if (count > maxBatch) {
            throw new IllegalArgumentException("minibatch of " + count + " exceeds " + maxBatch);
        }
        int in = net.inputSize();
        int[] labels = data.labels();
        byte[] bytes = data.bytePixels();
        for (int r = 0; r < count; r++) {
            int e = order == null ? from + r : order[from + r];
            batchLabels[r] = labels[e];
            sourceRows[r] = Math.multiplyExact(e, in);
        }
        passRows = count;
        passParallel = count * forwardWorkPerExample >= MIN_PARALLEL_STEP;
        firstBlocks = passParallel && !paired ? 1 : firstOff.length;
        // The JIT watch's answer stored, not branched on: it changes as the JIT works, and the
        // JIT would compile such a branch from a profile of one answer (see smallAlone).
        firstAlone = false;
        if (!passParallel && yieldToJit && pool.threads() > 1) {
            firstAlone = jitBusy();
        }
        if (paired) {
            // Each block's task makes its own pairs of inputs (firstLayerTask).
            if (pairInput == null) {
                pairInput = new double[Math.multiplyExact(firstOff.length, pairStride)];
            }
            convertBytes = bytes;
            convertFloats = bytes == null ? data.pixels() : null;
        } else if (bytes == null) {
            inputPixels = data.pixels();
            System.arraycopy(sourceRows, 0, inputRows, 0, count);
            for (int b = 0; b < firstBlocks; b++) {
                firstOff[b] = b * FIRST_BLOCK;
            }
        } else {
            // Bytes to floats, row by row, into the minibatch buffer; the first layer reads that.
            // On more than one thread, into each thread's own instead (threadInput, inputFor).
            // Cut into blocks of inputs, each block's columns go to a matrix of their own, which
            // the first layer's task for the block converts (see firstLayerTask).
            if (input == null) {
                input = new float[Math.multiplyExact(firstOff.length, panelStride)];
            }
            for (int r = 0; r < count; r++) {
                inputRows[r] = r * inputLd;
            }
            for (int b = 0; b < firstBlocks; b++) {
                firstOff[b] = b * panelStride;
            }
            inputPixels = input;
            if (firstBlocks == 1 && passParallel && pool.threads() > 1) {
                if (threadInput == null) {
                    threadInput = new float[pool.threads()][input.length];
                    threadStep = new int[pool.threads() * 16];
                }
                threadBytes = bytes;
                passStep++;
                inputPixels = null; // each thread's own: inputFor
            } else if (firstBlocks == 1) {
                passBytes = bytes;
                passSplit = passParallel; // by blocks of rows, unless the step runs whole
                pool.run(convertJob, passSplit ? blocks(count, ROW_BLOCK) : 1);
                passBytes = null;
            } else {
                convertBytes = bytes;
            }
        }
    }

    /**
     * The minibatch's floats for the first layer's tasks of a step cut into tasks: the one buffer
     * ({@link #inputPixels}), or on more than one thread the calling thread's own, converted the
     * first time this step that thread asks (see {@link #threadInput}).
     */
    private float[] inputFor() {
        float[][] own = threadInput;
        if (inputPixels != null || own == null) {
            return inputPixels;
        }
        int self = pool.self();
        float[] x = own[self];
        if (threadStep[self * 16] != passStep) {
            convertRows(threadBytes, 0, passRows, x);
            threadStep[self * 16] = passStep;
        }
        return x;
    }

    private void convertTask(int task) {
        int r0 = passSplit ? task * ROW_BLOCK : 0;
        convertRows(passBytes, r0, passSplit ? Math.min(passRows, r0 + ROW_BLOCK) : passRows, input);
    }

    /** The minibatch's rows [r0, r1) from {@code bytes} into floats in {@code dst}, inputLd apart. */
    private void convertRows(byte[] bytes, int r0, int r1, float[] dst) {
        int in = net.inputSize();
        for (int r = r0; r < r1; r++) {
            k.unitFloats(bytes, sourceRows[r], dst, r * inputLd, in);
        }
    }

    /**
     * Touches one byte of every 64-byte line of the next minibatch's rows that fall to the
     * first-layer weight step's task of inputs {@code [k0, k1)}: the first block of neurons' tasks
     * share the rows out in proportion. Independent loads in a short loop, so that many lines are
     * on their way at once, and their wait on memory overlaps the multiply-adds that follow (a
     * loop of touches alone, or touching while converting, waits for each batch of lines in
     * turn: 17-20 us a minibatch of Fashion-MNIST in a harness, JDK 25). A step run whole (the
     * lecture's network) touches every row at the end of its weight step: cutting that step
     * into slices with touches in between was 4-6% slower, the touched lines pushing its working
     * set out of L1.
     */
    private void touchNext(int k0, int k1, int in) {
        int n = passNextCount;
        touchNextRows((int) ((long) k0 * n / in), (int) ((long) k1 * n / in), 0, in, in);
    }

    /** A job of the first layer, on the caller alone while the JIT compiles (see {@link JitWatch}). */
    private void runFirst(boolean first, WorkerPool.Job job, int tasks) {
        if (first && firstAlone) {
            for (int t = 0; t < tasks; t++) {
                job.run(t);
            }
        } else {
            pool.run(job, tasks);
        }
    }

    /** Whether the JIT counts as busy now (see {@link JitWatch}); false where it cannot be told. */
    private boolean jitBusy() {
        LongSupplier compiled = COMPILED_MS;
        if (compiled == null) {
            return false;
        }
        return jit.busy(System.nanoTime(), compiled); // returned as it is, not branched on (see gather)
    }

    /**
     * Whether the JIT is busy compiling, for {@link #firstAlone}: busy from the end of a window
     * of {@link #WINDOW_NANOS} in which the JIT worked at least {@link #BUSY_MS} ms in all (see
     * {@link #COMPILED_MS}), to the end of the next window. While it is, a small step's first layer runs on
     * the caller alone and the idle workers park: on a machine with as many cores as threads, the
     * compiler's thread then has a core of its own, where otherwise one of the training threads
     * keeps being descheduled for it. On two cores, the lecture network's epochs on two threads
     * took up to 3x as long as on one for the 2-3 seconds that C2 is busy after start-up, where
     * compilations of 50-170 ms follow each other: in a 25-epoch run, 25-650 ms of them finished
     * in 31 of the 37 windows up to the 11th epoch, and 0-16 ms in each window from the 12th on.
     */
    static final class JitWatch {
        static final long WINDOW_NANOS = 50_000_000;
        static final long BUSY_MS = 20;
        private long compiled = -1;
        private long windowEnd;
        private boolean busy;

        JitWatch(long now) {
            windowEnd = now;
        }

        /**
         * At {@code now} (ns), with the JIT's work so far (ms, {@link Trainer#COMPILED_MS}), read
         * when a window ends.
         */
        boolean busy(long now, LongSupplier compiledMs) {
            if (now - windowEnd >= 0) {
                endWindow(now, compiledMs.getAsLong());
            }
            return busy;
        }

        /** Apart from busy, which the JIT compiles into each step: its branches are of a window's end. */
        private void endWindow(long now, long t) {
            windowEnd = now + WINDOW_NANOS;
            busy = compiled >= 0 && t - compiled >= BUSY_MS;
            compiled = t;
        }
    }

    /**
     * Touches inputs {@code [c0, c1)} of next rows {@code [r0, r1)} (see {@link #touchNext}). A
     * first layer cut into blocks of inputs touches its block's columns of every next row, which
     * the same block's task converts at the next step.
     */
    private void touchNextRows(int r0, int r1, int c0, int c1, int in) {
        byte[] bytes = passBytes;
        if (bytes == null || passNextCount == 0) {
            return;
        }
        int sum = 0;
        for (int r = r0; r < r1; r++) {
            int e = passOrder == null ? passNext + r : passOrder[passNext + r];
            if (e >= 0 && e < passExamples) {
                int o = e * in;
                for (int c = c0; c < c1; c += 64) {
                    sum += bytes[o + c];
                }
                sum += bytes[o + c1 - 1];
            }
        }
        if (sum == Integer.MIN_VALUE) {
            // Never: |sum| is below 2^24. Not writing a field every time keeps the cores from
            // passing its cache line back and forth.
            touched = sum;
        }
    }

    private static int blocks(int n, int block) {
        return (n + block - 1) / block;
    }

    // How a shared forward pass or weight step of a layer of out neurons is cut (WHOLE_PANELS).

    private static boolean wholePanels(int out) {
        return blocks(out, PANEL) >= WHOLE_PANELS;
    }

    // A pass cut by whole panels gives each thread the same work. Its tasks number threads times
    // (q + s): thread i's share of them (see WorkerPool) is q whole panels, then its piece of each
    // of the s panels left over, the last (full panels % threads) full ones and the partial one.
    // A piece is a range of the minibatch's examples (forward pass), of the inputs (weight step)
    // or of the panel's columns (input gradient): no sum is split, so no bit changes. W3's 800
    // neurons, 16 full panels and one of 32, on two threads: 8 panels and half of the partial one
    // each, where one panel a task left one thread 9 panels of work and the other 7 and the 32.

    /** The s of a cut of n columns for t threads: the panels left over after q = (n / PANEL) / t each. */
    private static int leftOver(int n, int t) {
        return n / PANEL % t + (n % PANEL > 0 ? 1 : 0);
    }

    /** The number of tasks of a pass over n columns cut by whole panels, for t threads. */
    static int wholeTasks(int n, int t) {
        return t * (n / PANEL / t + leftOver(n, t));
    }

    /** The first column of the panel of task {@code task} of such a pass. */
    static int wholePanel(int task, int n, int t) {
        int q = n / PANEL / t, per = q + leftOver(n, t);
        int share = task / per, j = task % per;
        return (j < q ? share * q + j : t * q + j - q) * PANEL;
    }

    /** Which piece of its panel, of t, task {@code task} of such a pass takes; -1 for all of it. */
    static int wholePiece(int task, int n, int t) {
        int q = n / PANEL / t, per = q + leftOver(n, t);
        return t == 1 || task % per < q ? -1 : task / per;
    }

    private int wholeTasks(int n) {
        return wholeTasks(n, pool.threads());
    }

    private int wholePanel(int task, int n) {
        return wholePanel(task, n, pool.threads());
    }

    private int wholePiece(int task, int n) {
        return wholePiece(task, n, pool.threads());
    }

    /**
     * Where piece i of {@code parts} pieces of n items begins: n for i = parts, else i * n / parts
     * rounded down to a multiple of {@code align} (the kernels' whole register tiles).
     */
    static int cut(int i, int parts, int n, int align) {
        return i >= parts ? n : (int) ((long) i * n / parts) / align * align;
    }

    /** Where the task's piece (see {@link #wholePiece}) of n items begins: 0 for all of them. */
    private int pieceFrom(int piece, int n, int align) {
        return piece < 0 ? 0 : cut(piece, pool.threads(), n, align);
    }

    /** Where the task's piece of n items ends: n for all of them. */
    private int pieceTo(int piece, int n, int align) {
        return piece < 0 ? n : cut(piece + 1, pool.threads(), n, align);
    }

    /**
     * Backpropagation over the {@code rows} gathered examples: the forward pass, the cost, then,
     * layer by layer from the output, every example's desired nudges to the weighted inputs, summed
     * into the gradient of every weight and bias. Returns the summed cost. With {@code update},
     * each block of weights takes its step (the pass* rates) as soon as its gradient is known;
     * without, the gradient of the summed (not averaged) cost is left in {@link #workGradient}.
     */
    double backprop(int rows, boolean update) {
        passUpdate = update;
        if (!passParallel) {
            if (update) {
                canonicalCurrent = false;
            }
            return smallBackprop(rows);
        }
        // Stale until the pass is done (an exception leaves it so): its weight steps rewrite it.
        passCanonicalCurrent = canonicalCurrent;
        canonicalCurrent = false;
        feedforward(rows);
        int last = net.layers() - 1;
        double cost = net.cost().costAndOutputNudges(k, 0, rows, net.outputSize(), activations[last],
                batchLabels, nudges[last]);
        passRows = rows;
        for (int l = last; l >= 0; l--) {
            int in = net.size(l), out = net.size(l + 1);
            passLayer = l;
            // Weights and biases in blocks of (inputs x neurons) of WT (A); the previous layer's
            // nudges in blocks of (examples x inputs) (B). B reads this layer's weights, so when A
            // also takes the step on them, B runs first, as its own job.
            boolean split = passParallel && (long) rows * in * out >= MIN_PARALLEL_WORK && !(l == 0 && paired);
            passSplit = split;
            if (l == 0 && paired) {
                // The nudges each twice in a row, as the paired weight step reads them (DZP). One
                // call over all rows: a paired layer's rows are not padded (ld[1] == out, see paired).
                k.floatsTwice(nudges[0], 0, nudgePairs, 0, rows * out);
            }
            int tasksA = split && wholePanels(out) ? wholeTasks(out)
                    : split ? blocks(in, INPUT_BLOCK) * blocks(out, NEURON_BLOCK) : l == 0 ? firstBlocks : 1;
            // dA = dZ * W wants W's rows: the copy the last step's weight step wrote (see
            // canonicalCurrent), or, where it is stale, transposed back from the panels here: by
            // the tasks of a grouped layer's parts for their own blocks of W (on one thread, by
            // the sums' tasks for their own panels), otherwise first, as a job of its own. A
            // grouped layer's input gradient is two jobs, its parts then their sums and f' (one
            // on one thread, see sumTask).
            passGroupedB = split && grouped(l);
            int tasksB = l == 0 || passGroupedB ? 0 : split ? blocks(rows, ROW_BLOCK) * blocks(in, INPUT_BLOCK) : 1;
            if (l > 0 && !passGroupedB && !passCanonicalCurrent) {
                pool.run(transposeJob, split ? blocks(in, INPUT_BLOCK) : 1);
            }
            if (passGroupedB) {
                if (pool.threads() > 1) {
                    pool.run(partJob, partTasks(in, out));
                }
                pool.run(sumJob, wholeTasks(in));
            }
            if (update) {
                passTasksA = 0;
                pool.run(backwardJob, tasksB);
                passTasksA = tasksA;
                runFirst(l == 0, backwardJob, tasksA);
            } else {
                passTasksA = tasksA;
                pool.run(backwardJob, tasksA + tasksB);
            }
        }
        canonicalCurrent = true;
        return cost;
    }

    /**
     * {@link #backprop} for a step too small to share by blocks of examples and neurons (the
     * lecture's network), in one job ({@link #smallTask}) where the first layer has a job of its
     * own, in three phases: the first layer's forward pass in blocks of inputs
     * ({@link #firstLayerTask}); the rest of the forward pass, the cost and every nudge down to
     * the first layer's, in parts of the examples ({@link #rowsTask}); then every layer's weight
     * step, the first layer's in its blocks of inputs and each other layer's with one of them
     * ({@link #smallStepTask}). Nothing runs on one thread while the others wait.
     * Before, all but the first layer ran on the caller alone between two jobs: 12 of the 47 us
     * of a step on two threads, in a quiet stretch (10.6 on one). W1, two threads, 20 epochs a
     * run, eight runs of each build in turns in a noisy stretch: medians of the later epochs
     * 0.68-1.16 of the build before's, median 0.89.
     */
    private double smallBackprop(int rows) {
        smallForward(rows, true);
        if (!firstLayerByJob()) {
            passLayer = 0;
            passSplit = false;
            passTasksA = firstBlocks;
            runFirst(true, smallStepJob, firstBlocks);
        }
        double cost = 0;
        for (double c : costParts) {
            cost += c;
        }
        return cost;
    }

    /** Block b of the first layer's weight step, then those of the later layers that fall to it (layerBlock). */
    private void smallStepTask(int b) {
        backwardTask(0, b);
        for (int l = 1; l < net.layers(); l++) {
            if (layerBlock(l) == b) {
                backwardTask(l, 0);
            }
        }
    }

    private void backwardTask(int task) {
        backwardTask(passLayer, task);
    }

    private void backwardTask(int l, int task) {
        int rows = passRows;
        int in = net.size(l), out = net.size(l + 1);
        int ldIn = ld[l], ldOut = ld[l + 1];
        boolean split = passSplit;
        if (task < passTasksA) {
            // Numbered by blocks of neurons first, as in the forward pass: the pool gives each
            // thread the same blocks of weights in both (see WorkerPool). A first layer in blocks
            // of inputs (firstLayerTask) has one task per block, reading the block's own matrix.
            boolean byFirst = l == 0 && firstBlocks > 1;
            boolean whole = split && wholePanels(out);
            int inBlocks = split ? blocks(in, INPUT_BLOCK) : 1;
            int j0, j1, k0, k1, piece = -1;
            if (whole) {
                // A whole panel, all inputs, or its piece of the inputs (see wholeTasks).
                piece = wholePiece(task, out);
                j0 = wholePanel(task, out);
                j1 = Math.min(out, j0 + PANEL);
                k0 = pieceFrom(piece, in, 8);
                k1 = pieceTo(piece, in, 8);
            } else {
                j0 = split ? (task / inBlocks) * NEURON_BLOCK : 0;
                j1 = split ? Math.min(out, j0 + NEURON_BLOCK) : out;
                k0 = split ? (task % inBlocks) * INPUT_BLOCK : byFirst ? task * FIRST_BLOCK : 0;
                k1 = split ? Math.min(in, k0 + INPUT_BLOCK) : byFirst ? Math.min(in, k0 + FIRST_BLOCK) : in;
            }
            int a0 = byFirst ? firstOff[task] : k0; // where column k0 is in a row of the input
            // dWT (in, out) = A_prev^T (in, rows) * dZ (rows, out): the weight nudges are
            // proportional to the previous layer's activations, summed over the minibatch. One
            // call per panel of the block.
            if (l == 0 && paired) {
                // WP's rows of inputs [k0, k1), all neurons, from the block's own pairs.
                int w0 = net.weightOffset(0) + k0 * out;
                int xOff = (byFirst ? task : 0) * pairStride;
                if (passUpdate) {
                    k.pairedWeightStep(rows, (k1 - k0) / 2, out, pairInput, xOff, pairLd, nudgePairs, 0, work, w0,
                            velocity, passScale, passLr, passMomentum, passWeightDecay);
                } else {
                    k.pairedWeightGradient(rows, (k1 - k0) / 2, out, pairInput, xOff, pairLd, nudgePairs, 0,
                            workGradient, w0);
                }
            }
            for (int p0 = j0; p0 < j1 && !(l == 0 && paired); p0 += PANEL) {
                int pw = panelWidth(l, p0);
                int w0 = panel(l, p0) + k0 * pw;
                if (passUpdate && l == 0) {
                    k.weightStepTransposed(rows, k1 - k0, pw, inputFor(), inputRows, 0, a0, nudges[l], p0, ldOut,
                            work, w0, pw, velocity, passScale, passLr, passMomentum, passWeightDecay);
                } else if (passUpdate) {
                    k.weightStepTransposed(rows, k1 - k0, pw, activations[l - 1], k0, ldIn, nudges[l], p0, ldOut,
                            work, w0, pw, velocity, passScale, passLr, passMomentum, passWeightDecay);
                    if (passParallel) {
                        // The block's new W, for the next step's dA, while the block is in this
                        // core's cache (see canonicalCurrent); not in a small step, which
                        // transposes its small layers before each dA.
                        transposeBlock(l, k0, k1, p0, p0 + pw, canonicalOff[l]);
                    }
                } else if (l == 0) {
                    k.weightGradientTransposed(rows, k1 - k0, pw, inputFor(), inputRows, 0, a0, nudges[l], p0,
                            ldOut, workGradient, w0, pw);
                } else {
                    k.weightGradientTransposed(rows, k1 - k0, pw, activations[l - 1], k0, ldIn, nudges[l], p0,
                            ldOut, workGradient, w0, pw);
                }
            }
            if (passUpdate && byFirst) {
                if (!touchesWithRows()) {
                    touchNextRows(0, passNextCount, k0, k1, in);
                }
            } else if (passUpdate && l == 0 && whole) {
                // Each thread's tasks (see WorkerPool) all the next rows, each task its share in
                // proportion: every thread converts every row (see inputFor).
                int n = passNextCount, per = passTasksA / pool.threads(), j = task % per;
                touchNextRows(cut(j, per, n, 1), cut(j + 1, per, n, 1), 0, in, in);
            } else if (passUpdate && l == 0 && j0 == 0) {
                touchNext(k0, k1, in);
            }
            if (whole ? piece <= 0 : k0 == 0) {
                int b0 = net.biasOffset(l) + j0;
                Arrays.fill(workGradient, b0, b0 + j1 - j0, 0f);
                k.accumulateBiasGradient(rows, j1 - j0, nudges[l], j0, ldOut, workGradient, b0);
                if (passUpdate) {
                    // No weight decay on biases.
                    k.sgdStep(work, workGradient, velocity, b0, j1 - j0, passScale, passLr, passMomentum, 0f);
                }
            }
        } else {
            // Numbered by blocks of inputs first, as the transposition that writes W's columns.
            int t = task - passTasksA;
            int rowBlocks = split ? blocks(rows, ROW_BLOCK) : 1;
            int r0 = split ? (t % rowBlocks) * ROW_BLOCK : 0;
            int r1 = split ? Math.min(rows, r0 + ROW_BLOCK) : rows;
            int k0 = split ? (t / rowBlocks) * INPUT_BLOCK : 0;
            int k1 = split ? Math.min(in, k0 + INPUT_BLOCK) : in;
            inputGradient(l, r0, r1, k0, k1, canonicalOff[l]);
        }
    }

    /**
     * Whether layer l's input gradient is summed in three parts, over three ranges of its
     * neurons (see {@link #partEdge}): {@code dA = (dZ W)[part 0] + (dZ W)[part 1] + (dZ W)[part 2]},
     * added in that order, each part summed in order over its neurons, on any number of threads
     * and whatever the pass (the bits depend on the layer's shape alone). The parts are where the
     * weight step on two threads cuts the layer's W (see wholeTasks): each thread sums the parts
     * of W's rows its own weight steps wrote into {@link #canonical}, in its own cache, and only
     * the parts' sums, (examples x inputs), cross between the cores. Before session 17 each
     * thread read every row of W for its own inputs, half of them written by the other core:
     * 2 MB a step for W4's 1024x1024 layer, where its sums are 200 KB. In stretches where the
     * two cores answered each other in 320 ns instead of 70 (CoreLatency), the kernels that read
     * what the other core wrote took most of the time W4's step lost on two threads (StepProfile:
     * the transposition 1153 us of thread time a step against 559). AbTrainSteps, W4, against
     * the build before: two threads 0.973-1.030 in six runs of both orders, median 0.98; one
     * thread 0.994 and 1.003.
     */
    private boolean grouped(int l) {
        return l > 0 && blocks(net.size(l), PANEL) >= GROUPED_PANELS && blocks(net.size(l + 1), PANEL) >= GROUPED_PANELS;
    }

    /**
     * Where part p of a grouped layer's {@code out} neurons begins (p = 3: out): part 0 is the
     * whole panels of the first thread's share of two, part 1 the second's, part 2 the panels
     * left over (empty when the panels share evenly), which two threads cut by inputs.
     */
    private static int partEdge(int p, int out) {
        int q = out / PANEL / 2 * PANEL;
        return p <= 0 ? 0 : p == 1 ? q : p == 2 ? 2 * q : out;
    }

    /** The tasks of {@link #partTask} for a layer of in inputs and out neurons: two shares. */
    private static int partTasks(int in, int out) {
        return 2 * (blocks(in, PANEL) + (partEdge(2, out) < out ? 1 : 0));
    }

    /**
     * One part of a grouped layer's input gradient for one panel of inputs (parts 0 and 1), or
     * for one half of the inputs (part 2), as the weight step on two threads cuts its leftover
     * panels: the first share of tasks is the first thread's blocks of W, the second share the
     * second's (see WorkerPool).
     */
    private void partTask(int task) {
        int l = passLayer, in = net.size(l), out = net.size(l + 1);
        int panels = blocks(in, PANEL), per = partTasks(in, out) / 2;
        int share = task / per, i = task % per;
        int half = cut(1, 2, in, 8);
        int part = i < panels ? share : 2;
        int k0 = i < panels ? i * PANEL : share == 0 ? 0 : half;
        int k1 = i < panels ? Math.min(in, k0 + PANEL) : share == 0 ? half : in;
        int j0 = partEdge(part, out), j1 = partEdge(part + 1, out);
        if (!passCanonicalCurrent) {
            transposeBlock(l, k0, k1, j0, j1, canonicalOff[l]);
        }
        product(l, 0, passRows, k0, k1, j0, j1, canonicalOff[l], partSums(l, part));
    }

    /**
     * The sum of a grouped layer's parts, then f', for a panel of inputs or its piece (see
     * wholeTasks). On one thread, the parts too, panel by panel, while the panel's sums are in
     * the cache: the same sums in the same order. All three parts first and then their sums, as
     * on two threads, made W4's step 3% slower on one (AbTrainSteps, 1.03 of the time).
     */
    private void sumTask(int task) {
        int l = passLayer, in = net.size(l);
        int piece = wholePiece(task, in);
        int q0 = wholePanel(task, in), qw = Math.min(PANEL, in - q0);
        int k0 = q0 + pieceFrom(piece, qw, 8);
        int k1 = q0 + pieceTo(piece, qw, 8);
        if (k0 < k1 && pool.threads() == 1) {
            if (!passCanonicalCurrent) {
                transposeColumns(l, k0, k1, canonicalOff[l]);
            }
            inputGradient(l, 0, passRows, k0, k1, canonicalOff[l]);
        } else if (k0 < k1) {
            addParts(l, 0, passRows, k0, k1);
            activationBackward(l, 0, passRows, k0, k1);
        }
    }

    /** Where part p of layer l's input gradient is summed: the first in the nudges themselves. */
    private float[] partSums(int l, int p) {
        return p == 0 ? nudges[l - 1] : p == 1 ? secondPart : thirdPart;
    }

    /** The nudges (part 0) plus part 1, plus part 2, for examples [r0, r1) and inputs [k0, k1). */
    private void addParts(int l, int r0, int r1, int k0, int k1) {
        int ldIn = ld[l];
        boolean third = partEdge(2, net.size(l + 1)) < net.size(l + 1);
        for (int r = r0; r < r1; r++) {
            int at = r * ldIn + k0;
            k.add(secondPart, at, nudges[l - 1], at, k1 - k0);
            if (third) {
                k.add(thirdPart, at, nudges[l - 1], at, k1 - k0);
            }
        }
    }

    /**
     * dA_prev (rows, in) = dZ (rows, out) * W (out, in) for examples [r0, r1) and inputs [k0, k1)
     * of layer l, W's columns in {@link #canonical} from {@code base} on (see transposeColumns):
     * what every neuron of this layer wants from the previous one, weighted by the weights,
     * summed (in the three parts of {@link #grouped} where the layer is); then times f'. The
     * same product as the forward pass's, panel by panel of W's columns, without a bias.
     */
    private void inputGradient(int l, int r0, int r1, int k0, int k1, int base) {
        int out = net.size(l + 1);
        if (grouped(l)) {
            for (int p = 0; p < 3; p++) {
                product(l, r0, r1, k0, k1, partEdge(p, out), partEdge(p + 1, out), base, partSums(l, p));
            }
            addParts(l, r0, r1, k0, k1);
        } else {
            product(l, r0, r1, k0, k1, 0, out, base, nudges[l - 1]);
        }
        activationBackward(l, r0, r1, k0, k1);
    }

    /**
     * {@code dst (rows, in) = dZ[:, j0..j1) * W[j0..j1, :]} for examples [r0, r1) and inputs [k0,
     * k1), dst laid out as the nudges of layer l - 1: neurons [j0, j1) of layer l's input
     * gradient, summed in order over them (nothing when j0 == j1).
     */
    private void product(int l, int r0, int r1, int k0, int k1, int j0, int j1, int base, float[] dst) {
        int in = net.size(l), out = net.size(l + 1);
        int ldIn = ld[l], ldOut = ld[l + 1];
        for (int q0 = k0 - k0 % PANEL; q0 < k1 && j0 < j1; q0 += PANEL) {
            int qw = Math.min(PANEL, in - q0);
            int c0 = Math.max(k0, q0), c1 = Math.min(k1, q0 + qw);
            k.forwardTransposed(r1 - r0, j1 - j0, c1 - c0, nudges[l], r0 * ldOut + j0, ldOut, canonical,
                    base + q0 * out + j0 * qw + c0 - q0, qw, null, 0, dst, r0 * ldIn + c0, ldIn);
        }
    }

    /** Keeps dC/da where explaining, then times f': layer l's input gradient becomes layer l - 1's nudges. */
    private void activationBackward(int l, int r0, int r1, int k0, int k1) {
        int in = net.size(l), ldIn = ld[l];
        if (keepActivationGrads != null) {
            for (int r = r0; r < r1; r++) {
                System.arraycopy(nudges[l - 1], r * ldIn + k0, keepActivationGrads[l], r * in + k0, k1 - k0);
            }
        }
        Activation f = net.activation(l - 1);
        if (k1 - k0 == ldIn) {
            f.backward(k, (r1 - r0) * ldIn, activations[l - 1], r0 * ldIn, nudges[l - 1], r0 * ldIn);
        } else {
            for (int r = r0; r < r1; r++) {
                f.backward(k, k1 - k0, activations[l - 1], r * ldIn + k0, nudges[l - 1], r * ldIn + k0);
            }
        }
    }

    /** W's columns of the task's block of {@link #INPUT_BLOCK} inputs (see {@link #transposeColumns}). */
    private void transposeTask(int task) {
        int in = net.size(passLayer);
        int k0 = passSplit ? task * INPUT_BLOCK : 0;
        transposeColumns(passLayer, k0, passSplit ? Math.min(in, k0 + INPUT_BLOCK) : in, canonicalOff[passLayer]);
    }

    /**
     * Columns [k0, k1) of layer l's W (out, in) into {@link #canonical} from the panels of WT:
     * W's panel of columns [q0, q0 + 48) (q0 a multiple of {@link #PANEL}) starts at
     * base + q0 * out and is row-major (out, its width).
     */
    private void transposeColumns(int l, int k0, int k1, int base) {
        transposeBlock(l, k0, k1, 0, net.size(l + 1), base);
    }

    /**
     * The block of columns [k0, k1) and rows [j0, j1) of layer l's W into {@link #canonical}, as
     * {@link #transposeColumns}; j0 and j1 at panels' edges (multiples of {@link #PANEL}, or out).
     */
    private void transposeBlock(int l, int k0, int k1, int j0, int j1, int base) {
        int in = net.size(l), out = net.size(l + 1);
        for (int q0 = k0 - k0 % PANEL; q0 < k1; q0 += PANEL) {
            int qw = Math.min(PANEL, in - q0);
            int c0 = Math.max(k0, q0), c1 = Math.min(k1, q0 + qw);
            int dst = base + q0 * out + c0 - q0;
            for (int p0 = j0; p0 < j1; p0 += PANEL) {
                // Rows [c0, c1) of the panel (its width pw apart) to columns [c0, c1) of rows
                // [p0, p0 + pw) of W's panel of columns (qw apart).
                int pw = panelWidth(l, p0);
                k.transpose(c1 - c0, pw, work, panel(l, p0) + c0 * pw, pw, canonical, dst + p0 * qw, qw);
            }
        }
    }

    /** The forward pass over the first {@code rows} examples of the minibatch. */
    private void feedforward(int rows) {
        passRows = rows;
        if (!passParallel) {
            smallForward(rows, false);
            return;
        }
        for (int l = 0; l < net.layers(); l++) {
            int in = net.size(l), out = net.size(l + 1);
            passLayer = l;
            boolean split = passParallel && (long) rows * in * out >= MIN_PARALLEL_WORK;
            passSplit = split;
            if (l == 0 && firstLayerByJob()) {
                if (partial == null && firstBlocks > 1) {
                    partial = new float[Math.multiplyExact(firstOff.length, partialStride)];
                }
                runFirst(true, firstLayerJob, firstBlocks);
                convertBytes = null;
                convertFloats = null;
                sumFirstLayer(0, rows);
            } else {
                pool.run(forwardJob, !split ? 1 : wholePanels(out) ? wholeTasks(out)
                        : blocks(rows, ROW_BLOCK) * blocks(out, NEURON_BLOCK));
            }
            if (net.activation(l) == Activation.SOFTMAX) {
                // Softmax needs whole rows: it runs after the blocks are done.
                k.softmax(rows, out, activations[l], 0, activations[l], 0);
            }
        }
    }

    /** Whether this minibatch's first layer runs as its own job ({@link #firstLayerTask}). */
    private boolean firstLayerByJob() {
        return firstBlocks > 1 || paired;
    }

    /**
     * The forward pass of a small step (see {@link #smallBackprop}): the rows job, which goes on to
     * the nudges if {@code backward} and then wants every later layer's W transposed first; with
     * the first layer's blocks and those transpositions in the same job where the first layer
     * has a job of its own, and the weight step too when going on backward ({@link #smallTask}).
     */
    private void smallForward(int rows, boolean backward) {
        passRows = rows;
        passSplit = false;
        passBackward = backward;
        if (firstLayerByJob()) {
            if (partial == null && firstBlocks > 1) {
                partial = new float[Math.multiplyExact(firstOff.length, partialStride)];
            }
            passLayer = 0;
            passTasksA = firstBlocks; // for the weight step's tasks
            if (firstAlone || pool.threads() == 1) {
                smallAlone();
            } else {
                passRound = passRound == -1 ? 1 : passRound + 1;
                pool.run(smallJob, ROW_PARTS);
            }
            convertBytes = null;
            convertFloats = null;
            return;
        }
        if (backward) {
            transposeSmallLayers();
        }
        runFirst(true, rowsJob, ROW_PARTS);
    }

    /** Every later layer's W, transposed for the rows job's input gradients. */
    private void transposeSmallLayers() {
        for (int l = 1; l < net.layers(); l++) {
            transposeColumns(l, 0, net.size(l), canonicalOff[l]);
        }
    }

    /**
     * Part h of {@link #ROW_PARTS} of a small step whose first layer has a job of its own, the
     * whole step in one job, in three phases of items: the first layer's blocks
     * ({@link #firstLayerTask}) and, going on backward, the later layers' transpositions; the
     * parts of the examples ({@link #rowsTask}); then, backward, the blocks' weight steps and
     * each later layer's. In each phase a task takes its own items first (block b and part b to
     * task b % ROW_PARTS, the transpositions to the last one, with the smaller block of the
     * lecture's network, a later layer's step to its {@link #layerBlock}'s task), then any not
     * yet taken, last first, and waits until every item of the phase is done before the next.
     * It waits only for an item that a running task has taken, so a task alone (a worker that
     * never woke) does them all. As three jobs, the thread that finished first waited for the
     * whole pool's round trip each time, and the transpositions ran on the caller alone. Each
     * item writes what it did before, so no bit changes. W1 on two threads, AbTrainSteps, in a
     * slow stretch, in both orders: the first two phases in one job took 0.93-1.00 of the time a
     * step of the three jobs (six runs, median 0.978), and the weight step joining them 0.95-1.01
     * of the two jobs' (four runs).
     *
     * <p>The later layers' weight steps were part of their block's item: timed item by item, W1's
     * caller took 2.5-4 us longer over its block and the output layer's step than the worker
     * over its block and the middle layer's, and the worker waited. As items of their own, the
     * task done first takes them. AbTrainSteps, W1, each build's two threads against the build
     * before on one thread in the same JVM, ten runs in both orders: 2% less time a step
     * (median), less in seven runs.
     */
    private void smallTask(int h) {
        int parts = ROW_PARTS, blocks = firstBlocks, round = passRound;
        boolean backward = passBackward;
        int items = blocks + (backward ? 1 : 0);
        for (int i = 0; i < items; i++) {
            if ((i < blocks ? i % parts : parts - 1) == h) {
                item(i, round);
            }
        }
        phase(0, items, round);
        item(rowsItem(h), round);
        if (backward && passUpdate && touchesWithRows()) {
            touchBlocks(h, parts);
        }
        phase(rowsItem(0), rowsItem(parts), round);
        if (!backward) {
            return;
        }
        for (int b = h; b < blocks; b += parts) {
            item(stepItem(b), round);
        }
        int layers = net.layers();
        for (int l = 1; l < layers; l++) {
            if (layerBlock(l) % parts == h) {
                item(layerItem(l), round);
            }
        }
        phase(stepItem(0), layerItem(layers), round);
    }

    /**
     * {@link #smallTask}'s items all on the caller, one after another, phase by phase: on one
     * thread, and while the JIT is busy ({@link #firstAlone}). So the claims and waits of
     * smallTask run only where another task shares the step, and the JIT's profile of them is
     * of that: compiled from a profile of a caller alone, they had never seen an item taken by
     * the other task or a wait for one, and fell back to the interpreter (an uncommon trap, then
     * a new compilation) at the first step shared after such a stretch: smallTask, phase or
     * item three or four times in each 10-epoch W1 run on two threads (-XX:+LogCompilation, six
     * runs). With this and the JIT watch's answer taken without a branch (gather), none of the
     * trainer's methods did in seven runs. On one thread it also saves the claims: W1,
     * AbTrainSteps, 0.984 and 0.981 of the step time in either order; two threads 0.983 and
     * 1.04, within that tool's lean to the build run second.
     */
    private void smallAlone() {
        boolean backward = passBackward;
        int blocks = firstBlocks;
        for (int b = 0; b < blocks; b++) {
            firstLayerTask(b);
        }
        if (backward) {
            transposeSmallLayers();
        }
        for (int h = 0; h < ROW_PARTS; h++) {
            rowsTask(h);
        }
        if (!backward) {
            return;
        }
        if (passUpdate && touchesWithRows()) {
            touchBlocks(0, 1);
        }
        for (int b = 0; b < blocks; b++) {
            smallStepTask(b);
        }
    }

    /** The next minibatch's columns of first-layer blocks from, from + step, ...: see touchNext. */
    private void touchBlocks(int from, int step) {
        int in = net.size(0);
        for (int b = from; b < firstBlocks; b += step) {
            touchNextRows(0, passNextCount, b * FIRST_BLOCK, Math.min(in, (b + 1) * FIRST_BLOCK), in);
        }
    }

    // smallTask's items: the first layer's blocks b (item b), the transpositions (firstBlocks),
    // the parts h of the examples, the blocks' weight steps, then the later layers'.

    private int rowsItem(int h) {
        return firstBlocks + 1 + h;
    }

    private int stepItem(int b) {
        return rowsItem(ROW_PARTS) + b;
    }

    /** The weight step of layer l, 1 or later. */
    private int layerItem(int l) {
        return stepItem(firstBlocks) + l - 1;
    }

    /**
     * The first-layer block whose task takes layer l's weight step (l from 1): block
     * {@code B - 1 - (l - 1) % B}, so that on two threads the caller's block of 400 inputs takes
     * the output layer's and the worker's of 384 the larger middle layer's (the lecture's
     * network). In {@link #smallTask} that is only where the step starts: either task takes it
     * if it is done with its own first.
     */
    private int layerBlock(int l) {
        return firstBlocks - 1 - (l - 1) % firstBlocks;
    }

    /**
     * Whether a step run as {@link #smallTask} touches the next minibatch's rows (see
     * {@link #touchNext}) right after its own part of the rows rather than after the weight
     * step: on two threads or more. The rows' phase waits on lines from the other core, and the
     * touches' loads go out meanwhile; after the weight step, they were the last thing between a
     * thread and the end of the step. W1, two threads, AbTrainSteps against touching after the
     * weight step, six runs in both orders, slow stretch: 0.89-1.01 of its step time, median
     * 0.97. On one thread, 1.008 and 1.025: no gain, so there they stay where they were.
     */
    private boolean touchesWithRows() {
        return !passParallel && pool.threads() > 1;
    }

    /**
     * The rest of items [from, to): those not yet taken, last first (so that a task done with its
     * own takes the later layers' weight steps before the other gets to them), then a wait until
     * all are done.
     */
    private void phase(int from, int to, int round) {
        for (int i = to - 1; i >= from; i--) {
            item(i, round);
        }
        for (int i = from; i < to; i++) {
            while (itemFlags.get(i * 16 + 1) != round) {
                Thread.onSpinWait();
            }
        }
    }

    /** Item i of {@link #smallTask}, unless a task has claimed it this round. */
    private void item(int i, int round) {
        // A look before the claim: the claim takes the line from the other core. One test of
        // whether it was taken, by the look or by the claim: the claim's own outcome, lost only
        // in a close race, would be a branch the JIT has seldom seen taken (see smallAlone).
        int taken = itemFlags.get(i * 16) == round ? round : itemFlags.getAndSet(i * 16, round);
        if (taken == round) {
            return;
        }
        try {
            if (i < firstBlocks) {
                firstLayerTask(i);
            } else if (i < rowsItem(0)) {
                transposeSmallLayers();
            } else if (i < stepItem(0)) {
                rowsTask(i - rowsItem(0));
            } else if (i < layerItem(1)) {
                backwardTask(0, i - stepItem(0));
            } else {
                backwardTask(i - layerItem(1) + 1, 0);
            }
        } finally {
            // Done even if it failed, so that no task waits for it forever: the pool rethrows.
            itemFlags.set(i * 16 + 1, round);
        }
    }

    /**
     * Part h of {@link #ROW_PARTS} of a small step's examples, through every layer but the first
     * layer's sums (already made in blocks): its weighted inputs and activations, and, when the
     * step goes on backward, its summed cost (into {@link #costParts}) and its nudges to every
     * layer's weighted inputs (the first layer's also doubled, for a paired weight step). An
     * example's numbers depend on that example alone: the parts give the same bits as one pass.
     */
    private void rowsTask(int h) {
        int rows = passRows, layers = net.layers();
        int r0 = cut(h, ROW_PARTS, rows, 4), r1 = cut(h + 1, ROW_PARTS, rows, 4);
        costParts[h] = 0;
        if (r0 == r1) {
            return;
        }
        if (firstLayerByJob()) {
            sumFirstLayer(r0, r1);
        } else {
            forwardBlock(0, r0, r1, 0, net.size(1));
        }
        for (int l = 1; l < layers; l++) {
            int out = net.size(l + 1);
            forwardBlock(l, r0, r1, 0, out);
            if (net.activation(l) == Activation.SOFTMAX) {
                k.softmax(r1 - r0, out, activations[l], r0 * out, activations[l], r0 * out);
            }
        }
        if (!passBackward) {
            return;
        }
        int last = layers - 1;
        costParts[h] = net.cost().costAndOutputNudges(k, r0, r1 - r0, net.outputSize(), activations[last],
                batchLabels, nudges[last]);
        for (int l = last; l >= 1; l--) {
            inputGradient(l, r0, r1, 0, net.size(l), canonicalOff[l]);
        }
        if (paired) {
            // The nudges each twice in a row, as the paired weight step reads them (DZP): a
            // paired layer's rows are not padded (ld[1] == out, see paired).
            int out = net.size(1);
            k.floatsTwice(nudges[0], r0 * out, nudgePairs, 2 * r0 * out, (r1 - r0) * out);
        }
    }

    private void forwardTask(int task) {
        int l = passLayer, rows = passRows;
        int out = net.size(l + 1);
        boolean split = passSplit;
        // Numbered by blocks of neurons first, as the weight step's tasks (see WorkerPool).
        int r0, r1, j0, j1;
        if (split && wholePanels(out)) {
            // A whole panel, all examples, or its piece of the examples (see wholeTasks).
            int piece = wholePiece(task, out);
            j0 = wholePanel(task, out);
            j1 = Math.min(out, j0 + PANEL);
            r0 = pieceFrom(piece, rows, 4);
            r1 = pieceTo(piece, rows, 4);
            if (r0 == r1) {
                return;
            }
        } else {
            int rowBlocks = split ? blocks(rows, ROW_BLOCK) : 1;
            r0 = split ? (task % rowBlocks) * ROW_BLOCK : 0;
            r1 = split ? Math.min(rows, r0 + ROW_BLOCK) : rows;
            j0 = split ? (task / rowBlocks) * NEURON_BLOCK : 0;
            j1 = split ? Math.min(out, j0 + NEURON_BLOCK) : out;
        }
        forwardBlock(l, r0, r1, j0, j1);
    }

    /**
     * Z (rows, out) = A_prev (rows, in) * WT + b for examples [r0, r1) and neurons [j0, j1) of
     * layer l, panel by panel, then A = f(Z) in place (but softmax).
     */
    private void forwardBlock(int l, int r0, int r1, int j0, int j1) {
        int in = net.size(l);
        int ldIn = ld[l], ldOut = ld[l + 1];
        for (int p0 = j0; p0 < j1; p0 += PANEL) {
            int pw = panelWidth(l, p0);
            if (l == 0) {
                k.forwardTransposed(r1 - r0, in, pw, inputFor(), inputRows, r0, 0, work, panel(l, p0), pw,
                        work, net.biasOffset(l) + p0, activations[l], r0 * ldOut + p0, ldOut);
            } else {
                k.forwardTransposed(r1 - r0, in, pw, activations[l - 1], r0 * ldIn, ldIn, work, panel(l, p0), pw,
                        work, net.biasOffset(l) + p0, activations[l], r0 * ldOut + p0, ldOut);
            }
        }
        activate(l, r0, r1, j0, j1);
    }

    /**
     * The first layer of a step too small to share by examples and neurons, cut instead into
     * blocks of {@link #FIRST_BLOCK} inputs: task b converts its block's columns of the minibatch
     * (for a dataset of bytes) into a matrix of their own, then sums the block's part of every
     * weighted input into its own partial sums; {@link #sumFirstLayer} adds the parts in block
     * order. Its weight step takes the same blocks (see backwardTask), so each thread works on
     * the inputs and weights it had before, in its own core's cache, and only the partial sums,
     * the small layers' numbers and the nudges cross between cores. The blocks depend on the
     * shape only, so the sums do not depend on the number of threads.
     */
    private void firstLayerTask(int b) {
        int rows = passRows;
        int in = net.size(0), out = net.size(1);
        int k0 = b * FIRST_BLOCK, k1 = Math.min(in, k0 + FIRST_BLOCK);
        if (paired) {
            pairedFirstLayerTask(b, rows, k0, k1, out);
            return;
        }
        int a0 = firstOff[b];
        byte[] bytes = convertBytes;
        if (bytes != null) {
            for (int r = 0; r < rows; r++) {
                k.unitFloats(bytes, sourceRows[r] + k0, input, a0 + r * inputLd, k1 - k0);
            }
        }
        int ldOut = ld[1];
        for (int p0 = 0; p0 < out; p0 += PANEL) {
            int pw = panelWidth(0, p0);
            // Block 0 starts its sums from the biases, the others from zeros (the same bits as from
            // none; a bias of null here, where the same tile otherwise has one, made the step 1.7x
            // slower on JDK 25).
            k.forwardTransposed(rows, k1 - k0, pw, inputPixels, inputRows, 0, a0, work, panel(0, p0) + k0 * pw, pw,
                    b == 0 ? work : zeros, b == 0 ? net.biasOffset(0) + p0 : p0, partial, b * partialStride + p0,
                    ldOut);
        }
    }

    /**
     * {@link #firstLayerTask} in the paired layout: the block's inputs to pairs, then its part of
     * the weighted inputs (all of them, straight into the activations, when there is one block).
     */
    private void pairedFirstLayerTask(int b, int rows, int k0, int k1, int out) {
        int xOff = b * pairStride;
        byte[] bytes = convertBytes;
        float[] floats = convertFloats;
        for (int r = 0; r < rows; r++) {
            if (bytes != null) {
                k.unitFloatPairs(bytes, sourceRows[r] + k0, pairInput, xOff + r * pairLd, k1 - k0);
            } else if (floats != null) {
                k.floatPairs(floats, sourceRows[r] + k0, pairInput, xOff + r * pairLd, k1 - k0);
            }
        }
        boolean whole = firstBlocks == 1;
        // Block 0 adds the biases; the others' parts are sums of products alone.
        k.pairedForward(rows, (k1 - k0) / 2, out, pairInput, xOff, pairLd, work, net.weightOffset(0) + k0 * out,
                b == 0 ? work : null, net.biasOffset(0), whole ? activations[0] : partial,
                whole ? 0 : b * partialStride, ld[1]);
    }

    /**
     * The first layer's weighted inputs for examples [r0, r1) from its blocks' partial sums, in
     * block order (already in place for a single paired block), then f.
     */
    private void sumFirstLayer(int r0, int r1) {
        if (firstBlocks > 1) {
            float[] z = activations[0];
            int from = r0 * ld[1], to = r1 * ld[1];
            float[] p = partial;
            int s = partialStride;
            for (int i = from; i < to; i++) {
                z[i] = p[i] + p[s + i];
            }
            for (int b = 2; b < firstBlocks; b++) {
                int o = b * s;
                for (int i = from; i < to; i++) {
                    z[i] += p[o + i];
                }
            }
        }
        activate(0, r0, r1, 0, net.size(1));
    }

    /** A = f(Z) in place for examples [r0, r1) and neurons [j0, j1) of layer l (not softmax). */
    private void activate(int l, int r0, int r1, int j0, int j1) {
        int ldOut = ld[l + 1];
        Activation f = net.activation(l);
        if (f != Activation.SOFTMAX && j1 - j0 == ldOut) {
            // Whole rows, back to back (the output layer's, say): one call over the block, whose
            // vectors then run across rows (10 outputs a row would all be the scalar tail). The
            // vector and scalar code give the same bits, so this changes no result.
            f.forward(k, r1 - r0, ldOut, activations[l], r0 * ldOut, activations[l], r0 * ldOut);
        } else if (f != Activation.SOFTMAX) {
            for (int r = r0; r < r1; r++) {
                f.forward(k, 1, j1 - j0, activations[l], r * ldOut + j0, activations[l], r * ldOut + j0);
            }
        }
    }

    /**
     * The gradient of the summed cost of the examples of the last {@link #computeGradient}, in the
     * network's parameter layout: the live array. (A training step never writes it out: each
     * block's gradient goes straight into its step.)
     */
    public float[] gradient() {
        return gradient;
    }

    /**
     * Computes the gradient of the summed cost of examples {@code order[from .. from+count)}
     * without changing the network, and returns their summed cost.
     */
    public double computeGradient(Dataset data, int[] order, int from, int count) {
        acquire();
        gather(data, order, from, count);
        double cost = backprop(count, false);
        toNetworkLayout(workGradient, gradient);
        return cost;
    }

    /**
     * Backpropagation of example {@code index} of {@code data} alone, with its activations, the
     * nudges to every layer's activations and weighted inputs, and the gradient of its cost: the
     * numbers of the trainer's own backward pass. Allocates its result; the network is unchanged.
     */
    public Explanation explain(Dataset data, int index) {
        checkFits(data);
        int layers = net.layers();
        float[][] keep = new float[layers + 1][];
        for (int l = 1; l <= layers; l++) {
            keep[l] = new float[net.size(l)];
        }
        keepActivationGrads = keep;
        double cost;
        try {
            cost = computeGradient(data, new int[] {index}, 0, 1);
        } finally {
            keepActivationGrads = null;
        }
        float[][] acts = new float[layers + 1][];
        float[][] zGrads = new float[layers][];
        acts[0] = data.image(index);
        for (int l = 0; l < layers; l++) {
            acts[l + 1] = Arrays.copyOf(activations[l], net.size(l + 1));
            zGrads[l] = Arrays.copyOf(nudges[l], net.size(l + 1));
        }
        // The output's dC/da, from the same cost kernel the step uses (for cross-entropy, dC/dz).
        int classes = net.outputSize();
        float[] out = new float[classes];
        int[] label = {data.label(index)};
        if (net.cost() == Cost.MSE) {
            k.quadraticCost(1, classes, acts[layers], 0, label, 0, out, 0);
        } else {
            System.arraycopy(zGrads[layers - 1], 0, out, 0, classes);
        }
        keep[layers] = out;
        keep[0] = null;
        return new Explanation(label[0], cost, acts, keep, zGrads, gradient.clone());
    }

    /** The fraction of {@code data} whose highest output is the right class. Allocates nothing. */
    public double accuracy(Dataset data) {
        checkFits(data);
        acquire();
        int classes = net.outputSize();
        float[] out = activations[net.layers() - 1];
        int correct = 0;
        for (int from = 0; from < data.size(); from += maxBatch) {
            int count = Math.min(maxBatch, data.size() - from);
            gather(data, null, from, count);
            feedforward(count);
            for (int r = 0; r < count; r++) {
                if (Network.argmax(out, r * classes, classes) == data.label(from + r)) {
                    correct++;
                }
            }
        }
        return data.size() == 0 ? Double.NaN : (double) correct / data.size();
    }

    private void checkFits(Dataset data) {
        if (data.inputSize() != net.inputSize()) {
            throw new IllegalArgumentException(data.name() + " has " + data.inputSize()
                    + " pixels per example but the network takes " + net.inputSize() + " inputs");
        }
        if (data.classes() > net.outputSize()) {
            throw new IllegalArgumentException(data.name() + " has " + data.classes()
                    + " classes but the network has " + net.outputSize() + " outputs");
        }
    }
}
