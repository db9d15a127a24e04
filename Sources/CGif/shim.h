// giflib (Debian's libgif-dev, no pkg-config file): the report's animated GIFs.
#include <gif_lib.h>
