// The system zlib, which every Swift-on-Linux install has (Foundation links it).
#include <zlib.h>
