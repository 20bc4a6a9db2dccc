fns = {
  a = {}
  b = { timeout = 7 }
}
