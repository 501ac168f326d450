// The `nn` executable: its commands are the NNCommandLine library, which tools built on it
// (`nn-distributed`, in Distributed/) share.
import NNCommandLine

NNTool.main()
