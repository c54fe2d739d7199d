{
  "targets": [
    {
      "target_name": "fdfs_fastpath",
      "sources": ["fastpath.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
