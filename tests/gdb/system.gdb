set pagination off
set confirm off
break htif_putc
continue
info threads
print $a0
set var $a0 = 0x48
stepi
print (long)$pc - (long)&htif_putc
print $a0
delete
continue
