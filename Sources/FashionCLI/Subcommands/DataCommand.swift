import ArgumentParser
import FashionData
import Foundation

/// `fashion data`: get, check, describe and look at the dataset.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Get, verify, describe, draw and export datasets; make the outfit benchmark.",
        discussion: """
            The data is looked for, in order: --data DIR, the FASHION_MNIST_DIR variable, \
            the user cache folder (where `fashion data fetch` puts it), then \
            /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist). A folder may hold IDX \
            files, Kaggle CSV files, class folders of PNG or JPEG photos, or manifests of tagged photos.
            """,
        subcommands: [
            DataFetch.self, DataVerify.self, DataInfo.self, DataShow.self, DataExport.self, DataMakeOutfits.self,
        ])
}
