package dev.simdnet.cli;

import dev.simdnet.core.AtomicFiles;
import dev.simdnet.core.EpochStats;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** PNG charts drawn with XChart, written atomically. */
final class Plots {

    /** Fashion-MNIST's ten classes, in label order. */
    static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private Plots() {
    }

    /** The training cost (left axis) and test accuracy (right axis) against the epoch. */
    static void training(Path file, String title, List<EpochStats> history) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title)
                .xAxisTitle("epoch").yAxisTitle("training cost (mean per example)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        List<Integer> epochs = new ArrayList<>();
        List<Double> cost = new ArrayList<>();
        List<Double> accuracy = new ArrayList<>();
        for (EpochStats s : history) {
            epochs.add(s.epoch());
            cost.add(s.trainLoss());
            accuracy.add(100 * s.testAccuracy());
        }
        XYSeries c = chart.addSeries("training cost", epochs, cost);
        c.setLineColor(new Color(0x1f77b4));
        c.setMarkerColor(new Color(0x1f77b4));
        if (history.stream().noneMatch(s -> Double.isNaN(s.testAccuracy()))) {
            XYSeries a = chart.addSeries("test accuracy (%)", epochs, accuracy);
            a.setYAxisGroup(1);
            a.setLineColor(new Color(0xd62728));
            a.setMarkerColor(new Color(0xd62728));
            chart.setYAxisGroupTitle(1, "test accuracy (%)");
            chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
        }
        AtomicFiles.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }

    /** The confusion matrix as a heatmap: true class down, predicted class across, counts shown. */
    static void confusion(Path file, String title, List<String> classes, long[][] confusion) throws IOException {
        HeatMapChart chart = new HeatMapChartBuilder().width(200 + 80 * classes.size()).height(140 + 60 * classes.size())
                .title(title).xAxisTitle("predicted class").yAxisTitle("true class").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setShowValue(true);
        chart.getStyler().setPlotContentSize(1);
        chart.getStyler().setRangeColors(new Color[] {new Color(0xf7fbff), new Color(0x6baed6), new Color(0x08306b)});
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < classes.size(); t++) {
            for (int p = 0; p < classes.size(); p++) {
                // Row 0 at the top: the y index runs from the bottom.
                cells.add(new Number[] {p, classes.size() - 1 - t, confusion[t][p]});
            }
        }
        List<String> reversed = new ArrayList<>(classes);
        java.util.Collections.reverse(reversed);
        chart.addSeries("count", classes, reversed, cells);
        AtomicFiles.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }
}
