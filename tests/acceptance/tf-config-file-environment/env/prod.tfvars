import_timeout = 420
import_memory  = 2048
