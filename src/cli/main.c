/* cli/main: placeholder until the CLI lands. */
#include <stdio.h>
int main(void) { puts("ebb"); return 0; }
