// Cryptoki as p11-kit ships it: the OASIS names (CRYPTOKI_COMPAT is its default), nothing to link,
// since modules are opened with dlopen and reached through C_GetFunctionList.
#include <p11-kit/pkcs11.h>
