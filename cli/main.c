/* placeholder until the CLI lands */
#include <stdio.h>
int main(void) { puts("swsev"); return 0; }
