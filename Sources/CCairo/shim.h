// Cairo: drawing (sprites, figures) and PNG encode/decode.
#include <cairo.h>
#include <cairo-svg.h>
#include <cairo-pdf.h>
