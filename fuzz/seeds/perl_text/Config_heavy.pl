
api_versionstring='5.36.0'
libperl='libperl.so.5.36'
otherlibdirs=' '
perlpath='/usr/bin/perl'
vendorarchexp='/usr/lib/x86_64-linux-gnu/perl5/5.36'
vendorlibexp='/usr/share/perl5'
version='5.36.0'
