// OpenSSL's libcrypto: SHA-256 of imported weight files (the run records which file it came from).
#include <openssl/evp.h>
