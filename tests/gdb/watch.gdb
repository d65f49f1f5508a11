set pagination off
set confirm off
break bump
continue
delete
rwatch counter
continue
continue
delete
awatch counter
continue
continue
delete
awatch answer
continue
delete
continue
