SELECT date_format(from_unixtime("start"), '%x-W%v %W %g') AS week,
       date_parse('17 12:35', '%d %h:%i') AS no_year,
       date_parse('31-MAY-69', '%d-%b-%y') AS two_digit_year,
       to_char(from_unixtime("start"), 'yyyy/mm/dd hh:mi') AS half_day_clock
FROM vpcflowlogstable
