set pagination off
set confirm off
break main
continue
info registers pc
print $pc == &main
print answer
set var answer = 7
break bump
continue
print by
set var by = 10
info threads
stepi
next
delete
watch counter
continue
continue
delete
continue
