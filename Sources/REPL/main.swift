import Engine
import Kernel
import CEdit
print(EngineInfo.version)
