# system configuration generated and used by the sysconfig module
build_time_vars = {'ABIFLAGS': '',
'BINDIR': '/usr/bin',
'EXT_SUFFIX': '.cpython-311-x86_64-linux-gnu.so',
'INSTSONAME': 'libpython3.11.so.1.0',
'LIBDIR': '/usr/lib/x86_64-linux-gnu',
'SOABI': 'cpython-311-x86_64-linux-gnu',
'VERSION': '3.11',}
