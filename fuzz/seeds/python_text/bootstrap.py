
MAGIC_NUMBER = (3495).to_bytes(2, 'little') + b'\r\n'
