// The umbrella module: `import NN` brings in every swift-nn library module.
@_exported import NNCore
@_exported import NNData
@_exported import NNIO
@_exported import NNLosses
@_exported import NNOptimizers
@_exported import NNTraining
