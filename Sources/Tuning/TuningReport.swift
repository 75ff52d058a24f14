import Foundation
import Reports

/// The search's report as one self-contained HTML file: the final result, the leaderboard,
/// the optimisation history, each parameter against validation accuracy, and the parameter
/// importances.
public struct TuningReport {
    public let result: TuningResult

    public init(result: TuningResult) { self.result = result }

    // Okabe and Ito's colours (SVGChart.palette), safe for colour-blind readers.
    static let colours = ["complete": "#0072B2", "pruned": "#999999", "failed": "#D55E00", "running": "#E69F00"]

    /// Trial number against validation accuracy (pruned trials at their last reported value),
    /// with the best value so far as a line.
    var history: ScatterPlot {
        var best = -Double.infinity
        var line = [(x: Double, y: Double)]()
        for trial in result.trials.sorted(by: { $0.number < $1.number }) where trial.state == "complete" {
            if let v = trial.value, v > best { best = v }
            if best.isFinite { line.append((Double(trial.number), best)) }
        }
        let points = result.trials.compactMap { t -> ScatterPlot.Point? in
            guard let v = t.value else { return nil }
            return .init(
                x: Double(t.number), y: v, colour: Self.colours[t.state] ?? "#333",
                tooltip:
                    "trial \(t.number) (\(t.state)): \(String(format: "%.4f", v))  "
                    + "\(TuningResult.describe(t.parameters))"
            )
        }
        return ScatterPlot(
            title: "Optimisation history", xLabel: "trial", yLabel: result.final.objectiveLabel, points: points,
            line: line,
            width: 640)
    }

    /// One plot per searched parameter: its value against validation accuracy.
    var parameterPlots: [ScatterPlot] {
        result.space.parameters.compactMap { parameter in
            let axis: ScatterPlot.Axis
            switch parameter.domain {
            case .fixed: return nil
            case .choice(let values): axis = .categories(values.map(\.description))
            case .range(_, _, let log, _): axis = log ? .logarithmic : .linear
            }
            let points = result.trials.compactMap { t -> ScatterPlot.Point? in
                guard let v = t.value, let x = t.parameters[parameter.name] else { return nil }
                let position: Double
                if case .categories(let names) = axis {
                    guard let i = names.firstIndex(of: x.description) else { return nil }
                    position = Double(i) + Double((t.number * 37) % 21 - 10) / 60
                } else {
                    guard let n = x.number else { return nil }
                    position = n
                }
                return .init(
                    x: position, y: v, colour: Self.colours[t.state] ?? "#333",
                    tooltip: "trial \(t.number): \(parameter.name)=\(x), \(String(format: "%.4f", v))")
            }
            return ScatterPlot(
                title: parameter.name, xLabel: parameter.name, yLabel: result.final.objectiveLabel, points: points,
                xAxis: axis, width: 330, height: 240)
        }
    }

    public var html: String {
        let e = HTML.escape
        let f = result.final
        let settings = result.settings
        let split = Int((result.space.validationSplit * 100).rounded())
        let (validation, test) = (String(format: "%.4f", f.validationAccuracy), String(format: "%.4f", f.testAccuracy))
        let testScore =
            f.isTagging
            ? "<strong>\(String(format: "%.4f", f.testMeanAveragePrecision ?? .nan))</strong> test mean average "
                + "precision (subset accuracy \(test))"
            : "<strong>\(test)</strong> test accuracy"
        let (seconds, testLoss) = (String(format: "%.1f", f.trainingSeconds), String(format: "%.4f", f.testLoss))
        var h =
            HTML.pageStart(
                title: "Tuning \(result.study)",
                style: """
                    td.params, th.params { text-align: left; font-family: monospace; }
                    .plots { display: flex; flex-wrap: wrap; gap: 8px; } \
                    .bar { background: #0072B2; height: 12px; display: inline-block; }
                    """) + """
                <h1>Tuning study \(e(result.study))</h1>
                <p>\(e(result.space.description ?? ""))</p>
                <p>Sampler \(settings.sampler.rawValue), pruner \(settings.pruner.kind.rawValue), \
                \(result.trials.count) trials; \
                every decision on a \(split)% stratified validation split (seed \(settings.seed)).</p>
                <section id="final"><h2>Result</h2>
                <p>The best trial, \(f.trial), reached \(f.objectiveLabel) \(validation). Its configuration, \
                retrained on all \(f.trainingImages) training images for \(f.epochs) epochs (\(seconds) s), \
                scores \(testScore) (test loss \(testLoss)); \
                the test set was used this once.</p>
                <p>Model file: <code>\(e(f.modelFile))</code>. \
                Experiment file for <code>fashion study</code>: <code>\(e(f.experimentFile))</code>.</p>
                </section>
                <section id="leaderboard"><h2>Leaderboard</h2>
                <table><tr><th>rank</th><th>trial</th><th>\(result.final.objectiveLabel)</th><th>epochs</th>\
                <th>seconds</th>\
                <th class="params">parameters</th></tr>

                """
        let ranked = result.trials.filter { $0.state == "complete" }.sorted { ($0.value ?? 0) > ($1.value ?? 0) }
        for (i, t) in ranked.enumerated() {
            h +=
                "<tr><td>\(i + 1)</td><td>\(t.number)</td><td>\(String(format: "%.4f", t.value ?? 0))</td>"
                + "<td>\(t.epochs)</td>"
                + "<td>\(t.seconds.map { String(format: "%.1f", $0) } ?? "")</td><td "
                + "class=\"params\">\(e(TuningResult.describe(t.parameters)))</td></tr>\n"
        }
        let others = result.trials.filter { $0.state != "complete" }
        h +=
            "</table>\n<p>\(others.count) trial(s) did not complete: "
            + e(
                others.map {
                    "\($0.number) \($0.state)\($0.value.map { String(format: " at %.4f", $0) } ?? "") after "
                        + "\($0.epochs) epochs"
                }.joined(separator: "; "))
            + ".</p></section>\n"
        h +=
            "<section id=\"history\"><h2>Optimisation history</h2>\n<p>Blue: complete; grey: pruned (at the last "
            + "value reported); red line: best so far.</p>\n"
            + history.svg + "\n</section>\n"
        h +=
            "<section id=\"parameters\"><h2>Parameters against \(result.final.objectiveLabel)</h2>\n"
            + "<div class=\"plots\">\n"
            + parameterPlots.map(\.svg).joined(separator: "\n") + "\n</div></section>\n"
        h +=
            "<section id=\"importance\"><h2>Parameter importance</h2>\n<p>The share of the variance of validation "
            + "accuracy among "
            + "complete trials that each parameter explains on its own (η²; numeric ranges grouped in quartiles). "
            + "With few trials this is a rough guide.</p>\n<table>\n"
        for item in result.importance {
            h +=
                "<tr><td class=\"params\">\(e(item.parameter))</td><td>\(String(format: "%.3f", item.etaSquared))</td>"
                + "<td class=\"params\"><span class=\"bar\" style=\"width: "
                + "\(Int(item.etaSquared * 300))px\"></span></td></tr>\n"
        }
        return h + "</table></section>\n</body></html>\n"
    }
}
