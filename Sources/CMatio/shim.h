// libmatio (Debian libmatio-dev): Cars3D's car_*_mesh.mat files (MATLAB v5).
#include <matio.h>
