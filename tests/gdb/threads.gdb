set pagination off
set confirm off
break work
continue
thread
print id
continue
thread
print id
delete
continue
