extension ModelFile {
    /// Why `members` cannot be judged as one classifier that averages their probabilities, or
    /// nil when they can: each must classify (a tagger's thresholds were chosen for it alone),
    /// take the same images and name the same classes in the same order. `paths` name the
    /// members in the messages. One member is always fine.
    public static func ensembleProblem(_ members: [ModelFile], paths: [String]) -> String? {
        guard members.count > 1, let first = members.first else { return nil }
        for (member, path) in zip(members, paths) {
            if member.isMultiLabel {
                return "\(path) tags (multi-label); an ensemble averages classifiers, and a tagger's thresholds "
                    + "were chosen for it alone: use taggers one at a time"
            }
            if member.preprocessing.image != first.preprocessing.image {
                return "\(path) takes \(member.preprocessing.image) images and \(paths[0]) "
                    + "\(first.preprocessing.image); an ensemble's members must take the same images"
            }
            if member.classNames != first.classNames {
                return "\(path) has the classes \(member.classNames.joined(separator: ", ")) and \(paths[0]) "
                    + "\(first.classNames.joined(separator: ", ")); an ensemble's members must name the same "
                    + "classes in the same order"
            }
        }
        return nil
    }
}

/// How every ensemble here averages its members (`fashion evaluate`, `predict`, `serve`, the
/// explanations, and the ONNX graph's `Div(Add(...), n)`): one way, so that they agree.
public enum Ensemble {
    /// The members' values added in order, then divided by their count; one member is its own
    /// values. The members must have the same count.
    public static func mean(_ members: [[Float]]) -> [Float] {
        guard members.count > 1 else { return members.first ?? [] }
        var sum = members[0]
        for member in members.dropFirst() {
            for i in sum.indices { sum[i] += member[i] }
        }
        let share = Float(members.count)
        return sum.map { $0 / share }
    }
}
