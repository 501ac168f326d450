// MPI's predefined handles are macros (Open MPI: addresses of its globals), which Swift cannot
// import; these inline functions return them.
#include <mpi.h>

static inline MPI_Comm nn_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype nn_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype nn_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype nn_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Op nn_mpi_sum(void) { return MPI_SUM; }
static inline void *nn_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler nn_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int nn_mpi_success(void) { return MPI_SUCCESS; }
static inline int nn_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
