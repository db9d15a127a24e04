// libhdf5 (Debian libhdf5-dev, serial): Shapes3D's 3dshapes.h5. Its predefined types and property
// lists are macros over global ids that Swift cannot import, so they are wrapped as functions here.
#include <hdf5.h>

static inline hid_t betavae_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t betavae_h5s_all(void) { return H5S_ALL; }
static inline hid_t betavae_h5e_default(void) { return H5E_DEFAULT; }
static inline unsigned betavae_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned betavae_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline hid_t betavae_h5t_native_uchar(void) { return H5T_NATIVE_UCHAR; }
static inline hid_t betavae_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t betavae_h5t_std_u8le(void) { return H5T_STD_U8LE; }
static inline hid_t betavae_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t betavae_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline haddr_t betavae_haddr_undef(void) { return HADDR_UNDEF; }
/// Silences libhdf5's own error stack printing: betavae reports one line of its own instead.
static inline void betavae_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
