timeout = 20
memory  = 256
