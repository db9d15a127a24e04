// liblinear (Debian's liblinear-dev): the linear SVMs of SAP, the library scikit-learn's LinearSVC wraps.
#include <linear.h>
